/**
 * What the CLI exits with, and the base of the errors that decide it. An error that extends
 * HarnessError carries its own exit code, so the CLI reports it without knowing every type.
 */

/** Exit codes of `slo-harness`. */
export const EXIT = {
  /** Every scenario met its SLO. */
  PASS: 0,
  /** A scenario failed its SLO or ended in error, or an internal error. */
  FAIL: 1,
  /** The user's input is wrong (arguments, scenario file, results file, an unwritable folder). */
  USAGE: 2,
  /** Interrupted (SIGINT) with no scenario failed. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The conventional 128 + signal number for the signals the CLI stops on. */
export const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/** A problem the harness reports to the user as one message and an exit code (no stack trace). */
export class HarnessError extends Error {
  constructor(
    message: string,
    /** What the CLI exits with when this error ends the command. */
    readonly exitCode: ExitCode = EXIT.USAGE,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
