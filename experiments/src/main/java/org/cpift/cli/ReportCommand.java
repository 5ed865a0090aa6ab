package org.cpift.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.cpift.report.ReportFormat;
import org.cpift.train.Preset;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cpift report --from RUN_DIR}: re-renders every experiment's report from the finished
 * cells of a run directory, training nothing, in the formats asked for. The preset comes from
 * {@code --preset}, else from the run directory's name ({@code runs/small}); the seeds from
 * {@code --seeds}, else from the finished cells; a run directory with a {@code quick-reports}
 * folder holds smoke cells ({@code --quick}).
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Re-render every experiment's report from the finished cells of a run "
        + "directory, training nothing: report.html, results.csv and summary.csv, the tables as "
        + "LaTeX (table-*.tex) and every chart as a standalone SVG (fig-*.svg).")
final class ReportCommand implements Callable<Integer> {
  @Option(names = "--from", required = true, paramLabel = "RUN_DIR",
      description = "the run directory (cells/ and cache/), e.g. runs/small")
  Path from;

  @Option(names = "--format", split = ",", defaultValue = "html,csv,tex,svg,md",
      description = "any of html, csv, tex, svg, md (default: ${DEFAULT-VALUE}); manifest.json is "
          + "always written")
  List<String> formats;

  @Option(names = "--preset", description = "tiny, small or paper (default: the run directory's "
      + "name when it is one, e.g. runs/small)")
  String preset;

  @Option(names = "--seeds", split = ",", description = "the run's seeds (default: every seed "
      + "of the finished cells)")
  List<Long> seeds;

  @Option(names = "--experiments", split = ",", description = "only these experiments (default: "
      + "every experiment with finished cells)")
  List<String> only;

  @Option(names = "--quick", negatable = true, description = "the cells are a --quick smoke "
      + "run's; --no-quick: they are not (default: quick when RUN_DIR has a quick-reports folder)")
  Boolean quick;

  @Option(names = "--out", description = "reports root (default: reports/<preset>; for a quick "
      + "run: RUN_DIR/quick-reports)")
  Path out;

  @Option(names = "--data-root", defaultValue = "benchmarks-data", description = "where "
      + "base/<preset> and the preset's suite are (default: ${DEFAULT-VALUE})")
  Path dataRoot;

  @Override
  public Integer call() {
    java.util.Set<ReportFormat> fs = ReportFormat.parse(formats);
    if (!Files.isDirectory(from.resolve("cells"))) {
      throw new CpiftException("--from " + from + ": not a run directory (no cells/ folder); "
          + "give the --run-dir of a reproduce or run command, e.g. runs/small");
    }
    Preset p = preset != null ? Preset.parse(preset) : presetOf(from);
    List<Long> s = seeds != null ? seeds : seedsOf(from);
    boolean q = quick != null ? quick : Files.isDirectory(from.resolve("quick-reports"));
    ReproduceCommand r = new ReproduceCommand();
    r.presetOption = new PresetOption(p.id());
    r.seedsOption = new SeedsOption(org.cpift.experiments.ExperimentRun.seedList(s));
    r.only = only;
    r.out = out;
    r.runDir = from;
    r.quick = q;
    r.dataRoot = dataRoot;
    r.reportOnly = true;
    r.formats = fs;
    r.recorded = "cpift report --from " + from + " --preset " + p.id() + " --seeds "
        + String.join(",", s.stream().map(String::valueOf).toList()) + (q ? " --quick" : "")
        + " --format " + String.join(",", fs.stream().map(f -> f.name().toLowerCase(
            java.util.Locale.ROOT)).toList());
    r.call();
    if (r.reported == 0) {
      throw new CpiftException("no experiment has finished cells in " + from + " at preset "
          + p.id() + " with seeds " + s + (q ? " (quick)" : "") + "; if the cells were computed "
          + (q ? "without --quick, add --no-quick" : "with --quick, add --quick")
          + ", or give --preset and --seeds as the run had them");
    }
    return 0;
  }

  /**
   * The preset a run directory is named after ({@code runs/small}), else the one its quick
   * reports' manifests name, else an error.
   */
  static Preset presetOf(Path runDir) {
    return presetOf(runDir, "--from " + runDir);
  }

  /** As {@link #presetOf(Path)}, its errors naming the folder as {@code folder}. */
  static Preset presetOf(Path runDir, String folder) {
    Path name = runDir.toAbsolutePath().normalize().getFileName();
    for (Preset p : Preset.values()) {
      if (name != null && p.id().equals(name.toString())) {
        return p;
      }
    }
    TreeSet<String> named = new TreeSet<>();
    Path quickReports = runDir.resolve("quick-reports");
    if (Files.isDirectory(quickReports)) {
      try (Stream<Path> dirs = Files.list(quickReports)) {
        for (Path m : dirs.map(d -> d.resolve("manifest.json")).filter(Files::isRegularFile)
            .toList()) {
          var preset = Json.STRICT.readTree(m.toFile()).get("preset");
          if (preset != null && preset.isTextual()) {
            named.add(preset.asText());
          }
        }
      } catch (IOException e) {
        // an unreadable manifest names nothing; the error below asks for --preset
      }
    }
    if (named.size() == 1) {
      return Preset.parse(named.first());
    }
    throw new CpiftException(folder + ": the preset cannot be told from the folder's "
        + "name; add --preset tiny, small or paper");
  }

  /** The distinct seeds of a run directory's finished cells, in order. */
  static List<Long> seedsOf(Path runDir) {
    return seedsOf(runDir, "--from " + runDir);
  }

  /** As {@link #seedsOf(Path)}, its errors naming the folder as {@code folder}. */
  static List<Long> seedsOf(Path runDir, String folder) {
    TreeSet<Long> out = new TreeSet<>();
    try (Stream<Path> files = Files.list(runDir.resolve("cells"))) {
      for (Path f : files.filter(x -> x.toString().endsWith(".json")).toList()) {
        try {
          var seed = Json.STRICT.readTree(f.toFile()).get("seed");
          if (seed != null && seed.canConvertToLong()) {
            out.add(seed.asLong());
          }
        } catch (IOException e) {
          // a damaged cell file is set aside when the cells are read; it names no seed here
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + runDir.resolve("cells"), e);
    }
    if (out.isEmpty()) {
      throw new CpiftException(folder + ": no finished cells in " + runDir.resolve("cells")
          + "; run the experiments first (cpift reproduce)");
    }
    return new ArrayList<>(out);
  }
}
