package org.cpift.experiment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.cpift.util.CpiftException;

/**
 * An exclusive lock on a run directory ({@code <runDir>/.lock}), so that two processes never
 * compute the same cells into one directory. The operating system releases it when the holder
 * exits, however it exits (a killed run leaves no stale lock). Re-entrant within one process.
 * Taking it also removes the temporary files a killed holder left behind.
 */
public final class RunDirLock implements AutoCloseable {
  static final String FILE = ".lock";
  private static final Map<Path, Held> HELD = new HashMap<>();

  private record Held(FileChannel channel, FileLock lock, int[] count) {}

  private final Path key;

  private RunDirLock(Path key) {
    this.key = key;
  }

  /**
   * Locks {@code runDir} for this process (creating it if needed).
   *
   * @throws CpiftException naming the holder when another process holds it
   */
  public static RunDirLock acquire(Path runDir) {
    Path key = runDir.toAbsolutePath().normalize();
    synchronized (HELD) {
      Held h = HELD.get(key);
      if (h != null) {
        h.count()[0]++;
        return new RunDirLock(key);
      }
      Path file = key.resolve(FILE);
      try {
        Files.createDirectories(key);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        FileLock lock = ch.tryLock();
        if (lock == null) {
          String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
          ch.close();
          throw new CpiftException("another cpift process is running in " + key + " ("
              + (holder.isEmpty() ? "holder unknown" : holder) + "); two runs in one run "
              + "directory would compute the same cells twice. Wait for it to finish, or give "
              + "this run another --run-dir");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + ", since "
            + Instant.now()).getBytes(StandardCharsets.UTF_8)), 0);
        HELD.put(key, new Held(ch, lock, new int[] {1}));
        removeStaleTemporaries(key);
        return new RunDirLock(key);
      } catch (IOException e) {
        throw new CpiftException("cannot lock the run directory " + key + " (" + e.getMessage()
            + "); check that it is writable");
      }
    }
  }

  /**
   * Deletes the temporary files ({@code .<name>.<random>.tmp}, see AtomicFiles) that a killed run
   * left in the run directory: with the lock held, no other process is writing one.
   */
  private static void removeStaleTemporaries(Path runDir) throws IOException {
    try (var files = Files.walk(runDir)) {
      for (Path p : files.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith(".") && n.endsWith(".tmp") && Files.isRegularFile(p);
      }).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public void close() {
    synchronized (HELD) {
      Held h = HELD.get(key);
      if (h == null || --h.count()[0] > 0) {
        return;
      }
      HELD.remove(key);
      try {
        h.lock().release();
        h.channel().close();
      } catch (IOException ignored) {
        // the operating system releases the lock when the channel or the process goes
      }
    }
  }
}
