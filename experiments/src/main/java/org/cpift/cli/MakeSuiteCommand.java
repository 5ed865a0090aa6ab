package org.cpift.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cpift.suite.SuiteGenerator;
import org.cpift.suite.WordNet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cpift make-suite}: regenerates the five-task suite and the pretraining corpus. */
@Command(name = "make-suite",
    description = "Generate the five-task suite (math, code, logic, instructions, dialogue) and the "
        + "pretraining corpus. The committed files under benchmarks-data/ were made by this command "
        + "with its defaults; the same seed writes the same bytes. Needs WordNet "
        + "(apt-get install wordnet-base).")
final class MakeSuiteCommand implements Callable<Integer> {
  // the standard help mixin would also claim --version, which here is the suite's version
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  @Option(names = "--out", description = "suite folder (default: benchmarks-data/suite-vN for "
      + "--version N)")
  Path out;

  @Option(names = "--corpus-out", description = "corpus folder (default: "
      + "benchmarks-data/corpus-vN for --version N)")
  Path corpusOut;

  @Option(names = "--seed", defaultValue = "2508", description = "(default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--train", defaultValue = "3000", description = "train records per task (default: ${DEFAULT-VALUE})")
  int train;

  @Option(names = "--val", defaultValue = "200", description = "val records per task (default: ${DEFAULT-VALUE})")
  int val;

  @Option(names = "--test", defaultValue = "400", description = "test records per task (default: ${DEFAULT-VALUE})")
  int test;

  @Option(names = "--corpus-docs", defaultValue = "4000", description = "pretraining documents per task (default: ${DEFAULT-VALUE})")
  int corpusDocs;

  @Option(names = "--version", defaultValue = "1", description = "suite version: 1 (shared-surface "
      + "items without a cue) or 2 (code's shared items cued by string literals; also writes the "
      + "warm-up set warmup.jsonl next to the corpus) (default: ${DEFAULT-VALUE})")
  int version;

  @Option(names = "--warmup", defaultValue = "1500", description = "warm-up records per task "
      + "(version 2) (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--wordnet", description = "WordNet folder (default: /usr/share/wordnet)")
  Path wordnet;

  @Override
  public Integer call() {
    Path suiteDir = out != null ? out : Path.of("benchmarks-data/suite-v" + version);
    Path corpusDir = corpusOut != null ? corpusOut : Path.of("benchmarks-data/corpus-v" + version);
    SuiteGenerator.write(suiteDir, corpusDir,
        SuiteGenerator.generators(wordnet != null ? wordnet : WordNet.DEFAULT_DIR, version),
        new SuiteGenerator.Sizes(train, val, test), seed, corpusDocs, version >= 2 ? warmup : 0);
    return 0;
  }
}
