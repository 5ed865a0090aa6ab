package org.cpift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status} names the cell files that belong to no listed experiment, and only those. */
class StatusCommandTest {
  @TempDir Path run;

  @Test
  void cellFilesOfNoListedExperimentAreNamedWithTheirMethodAndSeed() throws Exception {
    Path cells = Files.createDirectories(run.resolve("cells"));
    Files.writeString(cells.resolve("aaaa1111.json"), "{\"method\": \"cpi-ft\", \"seed\": 1}");
    Files.writeString(cells.resolve("bbbb2222bbbb2222.json"),
        "{\"method\": \"single-task\", \"seed\": 3}");
    Files.writeString(cells.resolve("cccc3333.json"), "not json");
    Files.writeString(cells.resolve("notes.txt"), "not a cell");
    StringWriter text = new StringWriter();
    StatusCommand.strays(new PrintWriter(text, true), run, Set.of("aaaa1111"), Set.of(),
        Long.MAX_VALUE);
    String out = text.toString();
    assertTrue(out.startsWith("2 cell file(s)"), out);
    assertTrue(out.contains("bbbb2222bbbb (single-task seed 3)"), out);
    assertTrue(out.contains("cccc3333 (unreadable)"), out);
    assertTrue(!out.contains("aaaa1111") && !out.contains("notes"), out);

    assertEquals(java.util.List.of(cells.resolve("bbbb2222bbbb2222.json"),
        cells.resolve("cccc3333.json")), StatusCommand.strayFiles(run, Set.of("aaaa1111")),
        "the paths --strays prints, sorted");

    StringWriter none = new StringWriter();
    StatusCommand.strays(new PrintWriter(none, true), run,
        Set.of("aaaa1111", "bbbb2222bbbb2222", "cccc3333"), Set.of(), Long.MAX_VALUE);
    assertEquals("", none.toString(), "nothing to say when every file is a listed cell");

    // the file of a cell the experiments still need (not taken as finished) is damaged, not a
    // stray of another configuration
    StringWriter damaged = new StringWriter();
    StatusCommand.strays(new PrintWriter(damaged, true), run, Set.of("aaaa1111"),
        Set.of("cccc3333"), Long.MAX_VALUE);
    String d = damaged.toString();
    assertTrue(d.startsWith("1 cell file(s) in " + cells + " belong to cells of these "
        + "experiments but are damaged"), d);
    assertTrue(d.contains("computes them again: cccc3333\n"), d);
    assertTrue(d.contains("1 cell file(s) in " + cells + " are no cell of these experiments")
        && d.contains("bbbb2222bbbb (single-task seed 3)") && !d.contains("(unreadable)"), d);
    assertEquals(java.util.List.of(cells.resolve("bbbb2222bbbb2222.json")),
        StatusCommand.strayFiles(run, Set.of("aaaa1111"), Set.of("cccc3333")),
        "--strays does not list the damaged file of a needed cell (the next run replaces it)");
  }

  @Test
  void nowIsReadFromTheFoldersOwnClockAndLeavesNoFile() throws Exception {
    Path cells = Files.createDirectories(run.resolve("cells"));
    long before = System.currentTimeMillis();
    long now = StatusCommand.now(cells);
    assertTrue(Math.abs(now - before) < 60_000, now + " vs " + before);
    try (var left = Files.list(cells)) {
      assertEquals(0, left.count(), "the probe file is removed");
    }
    // a folder that cannot be written: this machine's clock
    long missing = StatusCommand.now(run.resolve("no-such-folder"));
    assertTrue(Math.abs(missing - System.currentTimeMillis()) < 60_000);
  }
}
