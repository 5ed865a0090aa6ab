package org.cpift.cli;

import org.cpift.train.Preset;
import picocli.CommandLine.Option;

/**
 * {@code --preset}, shared by the commands ({@code @Mixin}); each command gives its default.
 * (report, status and run-cell declare their own: their default comes from the run directory.)
 */
final class PresetOption {
  @Option(names = "--preset", description = "tiny, small or paper (paper: for a GPU, no base "
      + "shipped) (default: ${DEFAULT-VALUE})")
  String name;

  PresetOption(String defaultName) {
    this.name = defaultName;
  }

  /** The preset given, or the command's default. */
  Preset get() {
    return Preset.parse(name);
  }
}
