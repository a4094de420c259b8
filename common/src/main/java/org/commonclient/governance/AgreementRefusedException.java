package org.commonclient.governance;

/**
 * A run refused because no active data-use agreement permits it. The message names what is
 * missing (no agreement, expired on a date, a source not covered, a purpose or metric not
 * permitted). The jobs map it to exit code 3.
 */
public final class AgreementRefusedException extends RuntimeException {
  public AgreementRefusedException(String message) {
    super(message);
  }
}
