/** Where an entry point prints, and the environment it runs in (the CLI's, `npm start`'s). */
export interface StationIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
}
