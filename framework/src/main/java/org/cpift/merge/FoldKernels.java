package org.cpift.merge;

/**
 * Which loops run the SLERP fold's two passes: the Java Vector API's (when the JVM was started
 * with {@code --add-modules jdk.incubator.vector}, as {@code ./cpift} and the tests do) or the
 * scalar reference loops. Both give the same bits; the switch exists so a benchmark can time one
 * against the other in the same run, and {@code -Dcpift.vector=false} sets the default to scalar.
 */
public final class FoldKernels {
  private FoldKernels() {}

  /** Whether this JVM can run the Vector API loops. */
  public static boolean vectorAvailable() {
    return SlerpFold.VECTOR_AVAILABLE;
  }

  /** Whether the fold currently runs the Vector API loops. */
  public static boolean vector() {
    return SlerpFold.vector;
  }

  /**
   * Chooses the loops for every fold that starts after this call.
   *
   * @throws IllegalStateException when asked for the Vector API loops on a JVM without the module
   */
  public static void useVector(boolean on) {
    if (on && !SlerpFold.VECTOR_AVAILABLE) {
      throw new IllegalStateException("this JVM lacks the module jdk.incubator.vector; start it "
          + "with --add-modules jdk.incubator.vector");
    }
    SlerpFold.vector = on;
  }
}
