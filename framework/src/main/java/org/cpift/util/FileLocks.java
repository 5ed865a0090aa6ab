package org.cpift.util;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Exclusive locks between processes on a shared directory, one lock file per key (a cell, a cached
 * expert). The operating system releases a lock when its holder exits, however it exits, so a
 * killed worker leaves no stale lock; a lock file itself carries no meaning and may stay. Within
 * one process a lock is re-entrant.
 */
public final class FileLocks {
  private FileLocks() {}

  private record Entry(FileChannel channel, FileLock lock, int[] count) {}

  private static final Map<Path, Entry> HELD = new HashMap<>();

  /** A held lock; closing it releases it (the last close, when taken more than once). */
  public static final class Held implements AutoCloseable {
    private final Path file;

    private Held(Path file) {
      this.file = file;
    }

    @Override
    public void close() {
      synchronized (HELD) {
        Entry e = HELD.get(file);
        if (e == null || --e.count()[0] > 0) {
          return;
        }
        HELD.remove(file);
        try {
          e.lock().release();
          e.channel().close();
        } catch (IOException ignored) {
          // the operating system releases it with the channel or the process
        }
      }
    }
  }

  /** Takes the lock of {@code file} if no other process holds it; null when one does. */
  public static Held tryLock(Path file) {
    return acquire(file, false);
  }

  /** Takes the lock of {@code file}, waiting while another process holds it. */
  public static Held lock(Path file) {
    return acquire(file, true);
  }

  private static Held acquire(Path file, boolean wait) {
    Path key = file.toAbsolutePath().normalize();
    synchronized (HELD) {
      Entry e = HELD.get(key);
      if (e != null) {
        e.count()[0]++;
        return new Held(key);
      }
    }
    try {
      Files.createDirectories(key.getParent());
      FileChannel ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      if (wait) {
        try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.WAIT)) {
          lock = ch.lock();
        }
      } else {
        lock = ch.tryLock();
      }
      if (lock == null) {
        ch.close();
        return null;
      }
      synchronized (HELD) {
        HELD.put(key, new Entry(ch, lock, new int[] {1}));
      }
      return new Held(key);
    } catch (IOException e) {
      throw new CpiftException("cannot lock " + key + " (" + e.getMessage() + "); check that the "
          + "run directory is writable");
    }
  }
}
