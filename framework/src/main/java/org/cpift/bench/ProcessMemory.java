package org.cpift.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's peak resident memory so far (Linux {@code /proc/self/status} VmHWM): the JVM heap
 * and TensorFlow's native allocations together, which no JVM counter sees.
 */
public final class ProcessMemory {
  private ProcessMemory() {}

  /** Peak resident set size in MB, or NaN where {@code /proc} has no answer. */
  public static double peakMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.trim().split("\\s+");
          return Long.parseLong(parts[1]) / 1024.0; // kB
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}
