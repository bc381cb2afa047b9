/**
 * Camera QR scanner: opens the camera with getUserMedia, decodes frames with jsQR a few times per
 * second and reports each new code once. Also decodes a picked image file (no camera on the laptop,
 * or a photo of a label). The camera is released when the scanner unmounts or is stopped.
 */
import jsQR from 'jsqr';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

/** Props of {@link QrScanner}. */
interface QrScannerProps {
  /** called with the decoded text of each code seen (the same code again only after another one) */
  onCode: (text: string) => void;
  /** milliseconds between decode attempts */
  intervalMs?: number;
}

/** Decodes a QR code from RGBA pixels; trying inverted images too (labels printed white on black). */
function decodeQr(data: Uint8ClampedArray, width: number, height: number): string | null {
  return jsQR(data, width, height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
}

function cameraErrorText(e: unknown): string {
  const name = e instanceof Error ? e.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'Camera access was refused. Allow the camera for this station, or pick a photo of the label.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No camera was found. Connect one, or pick a photo of the label.';
  if (name === 'NotReadableError') return 'The camera is in use by another program.';
  return 'The camera could not be started. Pick a photo of the label instead.';
}

/** The scanner: a video preview with Start/Stop, and "Read from image…". */
export function QrScanner({ onCode, intervalMs = 150 }: QrScannerProps): ReactNode {
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);
  const last = useRef<string | null>(null);
  const [state, setState] = useState<'idle' | 'starting' | 'scanning'>('idle');
  const [error, setError] = useState<string | null>(null);

  const stop = useCallback(() => {
    if (timer.current) clearInterval(timer.current);
    timer.current = null;
    stream.current?.getTracks().forEach((t) => t.stop());
    stream.current = null;
    if (video.current) video.current.srcObject = null;
    setState('idle');
  }, []);

  useEffect(() => stop, [stop]);

  const report = useCallback(
    (text: string | null) => {
      if (text === null || text === last.current) return;
      last.current = text;
      onCode(text);
    },
    [onCode],
  );

  const grab = (source: CanvasImageSource, width: number, height: number): string | null => {
    if (width === 0 || height === 0) return null;
    canvas.current ??= document.createElement('canvas');
    const c = canvas.current;
    c.width = width;
    c.height = height;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    if (!ctx) return null;
    ctx.drawImage(source, 0, 0, width, height);
    return decodeQr(ctx.getImageData(0, 0, width, height).data, width, height);
  };

  const start = async (): Promise<void> => {
    setError(null);
    last.current = null;
    if (!navigator.mediaDevices?.getUserMedia) {
      setError('This browser gives no camera access here (it needs https or the desktop app).');
      return;
    }
    setState('starting');
    try {
      const s = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
      stream.current = s;
      const v = video.current;
      if (!v) return;
      v.srcObject = s;
      await v.play();
      setState('scanning');
      timer.current = setInterval(() => {
        if (v.readyState >= 2) report(grab(v, v.videoWidth, v.videoHeight));
      }, intervalMs);
    } catch (e) {
      stop();
      setError(cameraErrorText(e));
    }
  };

  const fromFile = async (file: File): Promise<void> => {
    setError(null);
    try {
      const bitmap = await createImageBitmap(file);
      const text = grab(bitmap, bitmap.width, bitmap.height);
      bitmap.close();
      if (text === null) setError(`No QR code found in ${file.name}.`);
      else {
        last.current = null;
        report(text);
      }
    } catch {
      setError(`${file.name} could not be read as an image.`);
    }
  };

  return (
    <div className="qr-scanner">
      <div className={`qr-preview ${state}`}>
        <video ref={video} muted playsInline aria-label="Camera preview" />
        {state !== 'scanning' && <span className="qr-placeholder">Camera off</span>}
        {state === 'scanning' && <span className="qr-aim" aria-hidden="true" />}
      </div>
      <div className="row gap">
        {state === 'idle' ? (
          <button type="button" className="btn" onClick={() => void start()}>
            Start camera
          </button>
        ) : (
          <button type="button" className="btn secondary" onClick={stop}>
            Stop camera
          </button>
        )}
        <label className="btn secondary file-btn">
          Read from image…
          <input
            type="file"
            accept="image/*"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void fromFile(f);
              e.target.value = '';
            }}
          />
        </label>
        {state === 'scanning' && (
          <span className="muted">Hold the label's QR code in front of the camera.</span>
        )}
      </div>
      {error && (
        <div className="notice warn" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
