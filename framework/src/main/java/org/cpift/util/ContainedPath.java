package org.cpift.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** File names read from a folder's own description (task.json, SHA256SUMS), kept inside it. */
public final class ContainedPath {
  private ContainedPath() {}

  /**
   * {@code name} resolved inside the folder {@code dir}: a relative path without {@code ..}
   * whose real location (after links) is inside the folder's real location; anything else is
   * refused, so that a description cannot make the project read (and echo in messages) files from
   * elsewhere.
   */
  public static Path resolve(Path dir, String name, String where) {
    Path rel;
    try {
      rel = Path.of(name);
    } catch (java.nio.file.InvalidPathException e) {
      throw new CpiftException(where + ": \"" + name + "\" is not a valid file name");
    }
    boolean climbs = false;
    for (Path part : rel) {
      climbs |= part.toString().equals("..");
    }
    if (rel.isAbsolute() || climbs) {
      throw new CpiftException(where + ": \"" + name + "\" points outside the folder " + dir
          + "; files are named relative to the folder, without '..' (copy the file into "
          + "the folder)");
    }
    Path file = dir.resolve(rel).normalize();
    if (Files.exists(file)) {
      try {
        Path real = file.toRealPath();
        Path realDir = dir.toRealPath();
        if (!real.startsWith(realDir)) {
          throw new CpiftException(where + ": \"" + name + "\" is a link to " + real
              + ", outside the folder " + realDir + "; put the file itself in the folder");
        }
      } catch (IOException e) {
        throw new CpiftException("cannot resolve " + file + ": " + e.getMessage());
      }
    }
    return file;
  }
}
