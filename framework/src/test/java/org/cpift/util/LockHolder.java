package org.cpift.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Another process holding a lock, for tests of the locking between processes: Python's POSIX
 * record lock, the kind Java's {@code FileLock} takes on Linux (a lock taken in this JVM would be
 * re-entrant and prove nothing).
 */
public final class LockHolder {
  private LockHolder() {}

  /** Whether {@code python3} runs here (tests assume it). */
  public static boolean available() throws Exception {
    return new ProcessBuilder("python3", "--version").start().waitFor() == 0;
  }

  /** A Python process holding the lock of {@code file} until it is killed. */
  public static Process hold(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    String script = "import fcntl, sys, time\n"
        + "f = open(sys.argv[1], 'a+')\n"
        + "fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        + "print('locked', flush=True)\n"
        + "time.sleep(300)\n";
    Process p = new ProcessBuilder("python3", "-c", script, file.toString()).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8));
    assertEquals("locked", out.readLine());
    return p;
  }
}
