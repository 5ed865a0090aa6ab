package org.cpift.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --seeds}, shared by the commands ({@code @Mixin}); each command gives its default. */
final class SeedsOption {
  @Option(names = "--seeds", paramLabel = "S,S,...", description = "comma-separated seeds "
      + "(default: ${DEFAULT-VALUE})")
  String seeds;

  SeedsOption(String defaults) {
    this.seeds = defaults;
  }

  /** The seeds, each once, in the order given. */
  List<Long> get() {
    List<Long> out = new ArrayList<>();
    for (String s : seeds.split(",")) {
      try {
        out.add(Long.parseLong(s.strip()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--seeds: '" + s + "' is not a whole number; give "
            + "comma-separated seeds, e.g. 1,2,3");
      }
    }
    if (out.stream().distinct().count() != out.size()) {
      throw new IllegalArgumentException("--seeds must list distinct seeds, e.g. 1,2,3 (got "
          + seeds + ")");
    }
    return out;
  }
}
