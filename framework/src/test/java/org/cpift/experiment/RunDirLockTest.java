package org.cpift.experiment;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.cpift.util.CpiftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run-directory lock against another process: a Python process holding a POSIX lock on
 * {@code .lock} (the kind Java's FileLock takes on Linux) makes the lock refused with a message
 * naming the holder; once that process is killed, the lock is taken.
 */
class RunDirLockTest {
  @TempDir Path dir;

  @Test
  void anotherProcessHoldingTheLockIsRefusedUntilItIsKilled() throws Exception {
    assumeTrue(new ProcessBuilder("python3", "--version").start().waitFor() == 0, "python3 needed");
    Path lockFile = dir.resolve(RunDirLock.FILE);
    String script = "import fcntl, sys, time\n"
        + "f = open(sys.argv[1], 'a+')\n"
        + "fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        + "f.seek(0); f.truncate(); f.write('pid 4242, since then'); f.flush()\n"
        + "print('locked', flush=True)\n"
        + "time.sleep(120)\n";
    Process holder = new ProcessBuilder("python3", "-c", script, lockFile.toString()).start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertTrue("locked".equals(out.readLine()), "the holder took the lock");
      CpiftException e = assertThrows(CpiftException.class, () -> RunDirLock.acquire(dir));
      assertTrue(e.getMessage().contains("another cpift process is running in")
          && e.getMessage().contains("pid 4242") && e.getMessage().contains("--run-dir"),
          e.getMessage());
    } finally {
      holder.destroyForcibly();
      holder.waitFor(30, TimeUnit.SECONDS);
    }
    // the killed holder left no stale lock, and its half-written temporary files are removed;
    // re-entrant within this process
    Path cells = java.nio.file.Files.createDirectories(dir.resolve("cells"));
    Path stale = java.nio.file.Files.writeString(cells.resolve(".abc.json.123.tmp"), "{\"half");
    Path kept = java.nio.file.Files.writeString(cells.resolve("abc.json"), "{}");
    try (RunDirLock a = RunDirLock.acquire(dir); RunDirLock b = RunDirLock.acquire(dir)) {
      assertTrue(!java.nio.file.Files.exists(stale) && java.nio.file.Files.exists(kept));
      assertTrue(a != null && b != null);
    }
    try (RunDirLock again = RunDirLock.acquire(dir)) {
      assertTrue(again != null);
    }
  }
}
