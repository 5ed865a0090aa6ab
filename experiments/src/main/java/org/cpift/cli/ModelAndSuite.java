package org.cpift.cli;

import java.nio.file.Path;
import org.cpift.train.Preset;
import picocli.CommandLine.Option;

/**
 * The options naming the base model and the suite a command runs on, shared by the commands
 * that run methods ({@code @Mixin}); each defaults to what the preset ships.
 */
final class ModelAndSuite {
  @Option(names = "--base", description = "base model directory (default: benchmarks-data/base/<preset>)")
  Path base;

  @Option(names = "--suite", description = "suite directory (default: the preset's, "
      + "benchmarks-data/suite-v1 for tiny, suite-v2 for small and paper)")
  Path suite;

  /** The base model directory: the one given, else the preset's. */
  Path base(Preset p) {
    return base != null ? base : p.baseDir(Preset.DATA_ROOT);
  }

  /** The suite directory: the one given, else the preset's. */
  Path suite(Preset p) {
    return suite != null ? suite : p.suiteDir(Preset.DATA_ROOT);
  }

  /** The options as given, for the command line recorded in a manifest ("" when defaulted). */
  String given() {
    return (base != null ? " --base " + base : "") + (suite != null ? " --suite " + suite : "");
  }
}
