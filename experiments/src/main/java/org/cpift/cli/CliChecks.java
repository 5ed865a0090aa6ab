package org.cpift.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;

/** Checks shared by commands: which options were typed, and whether an output folder can be. */
final class CliChecks {
  private CliChecks() {}

  /**
   * The options typed on {@code spec}'s command line, by their longest name (none when the command
   * was built by another command rather than parsed).
   */
  static Set<String> typedOptions(CommandSpec spec) {
    Set<String> typed = new HashSet<>();
    if (spec != null && spec.commandLine() != null
        && spec.commandLine().getParseResult() != null) {
      spec.commandLine().getParseResult().matchedOptions().forEach(o -> typed.add(o.longestName()));
    }
    return typed;
  }

  /**
   * Refuses, before any work, an output path that is a file or under one, or whose nearest
   * existing folder cannot be written: otherwise a command would run to its end and then lose its
   * results. Creates nothing (a run refused later leaves no folder behind).
   */
  static void writableDirectory(Path dir, String option) {
    Path p = dir.toAbsolutePath().normalize();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    if (p == null) {
      return;
    }
    if (!Files.isDirectory(p)) {
      throw new IllegalArgumentException(option + " " + dir + (p.equals(dir.toAbsolutePath()
          .normalize()) ? " is a file" : " cannot be written: " + p + " is a file")
          + "; give a directory");
    }
    if (!Files.isWritable(p)) {
      throw new IllegalArgumentException(option + " " + dir + " cannot be written: " + p
          + " is not writable; give a writable directory");
    }
  }

  /**
   * {@code tc} with its warm-up: {@code given} (from {@code option}) must be below the steps; the
   * preset's, when not given, is cut to the steps minus one as the schedule would, so that the
   * manifest records the warm-up the run has.
   */
  static org.cpift.train.TrainConfig warmup(org.cpift.train.TrainConfig tc, Integer given,
      String option) {
    if (given != null) {
      if (given >= tc.steps()) {
        throw new IllegalArgumentException(option + " " + given + " is not below the "
            + tc.steps() + " training steps; give fewer warm-up steps");
      }
      return tc.withWarmupSteps(given);
    }
    return tc.warmupSteps() >= tc.steps() ? tc.withWarmupSteps(tc.steps() - 1) : tc;
  }
}
