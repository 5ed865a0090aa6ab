package org.cpift.util;

/**
 * An error caused by the user's input or environment (a bad file, a bad option, a diverged run),
 * as opposed to a bug. Its message says what was wrong, where, and what to do; the CLI prints it
 * without a stack trace and exits non-zero.
 */
public class CpiftException extends RuntimeException {
  public CpiftException(String message) {
    super(message);
  }

  public CpiftException(String message, Throwable cause) {
    super(message, cause);
  }
}
