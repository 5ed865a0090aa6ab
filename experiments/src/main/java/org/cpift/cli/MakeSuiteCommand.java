package org.cpift.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cpift.suite.SuiteGenerator;
import org.cpift.suite.WordNet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cpift make-suite}: regenerates the five-task suite and the pretraining corpus. */
@Command(name = "make-suite", mixinStandardHelpOptions = true,
    description = "Generate the five-task suite (math, code, logic, instructions, dialogue) and the "
        + "pretraining corpus. The committed files under benchmarks-data/ were made by this command "
        + "with its defaults; the same seed writes the same bytes. Needs WordNet "
        + "(apt-get install wordnet-base).")
final class MakeSuiteCommand implements Callable<Integer> {
  @Option(names = "--out", defaultValue = "benchmarks-data/suite-v1", description = "suite folder (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--corpus-out", defaultValue = "benchmarks-data/corpus-v1", description = "corpus folder (default: ${DEFAULT-VALUE})")
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
    SuiteGenerator.write(out, corpusOut,
        SuiteGenerator.generators(wordnet != null ? wordnet : WordNet.DEFAULT_DIR, version),
        new SuiteGenerator.Sizes(train, val, test), seed, corpusDocs, version >= 2 ? warmup : 0);
    return 0;
  }
}
