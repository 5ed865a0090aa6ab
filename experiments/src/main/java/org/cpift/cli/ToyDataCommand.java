package org.cpift.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cpift.data.JsonlWriter;
import org.cpift.data.SftRecord;
import org.cpift.data.ToyTasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cpift toy-data}: writes a seeded copy or reverse task as JSONL. */
@Command(name = "toy-data", mixinStandardHelpOptions = true,
    description = "Write a seeded synthetic task (copy or reverse a random string) as JSONL; "
        + "the same seed writes the same bytes.")
final class ToyDataCommand implements Callable<Integer> {
  @Option(names = "--task", defaultValue = "reverse", description = "copy or reverse (default: ${DEFAULT-VALUE})")
  String task;

  @Option(names = "--n", defaultValue = "2000", description = "records (default: ${DEFAULT-VALUE})")
  int n;

  @Option(names = "--min-len", defaultValue = "3", description = "(default: ${DEFAULT-VALUE})")
  int minLen;

  @Option(names = "--max-len", defaultValue = "8", description = "(default: ${DEFAULT-VALUE})")
  int maxLen;

  @Option(names = "--seed", defaultValue = "1", description = "(default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", required = true, description = "output JSONL file")
  Path out;

  @Override
  public Integer call() {
    if (n < 1 || minLen < 1 || maxLen < minLen) {
      throw new IllegalArgumentException("need --n >= 1 and 1 <= --min-len <= --max-len");
    }
    List<SftRecord> records = switch (task) {
      case "copy" -> ToyTasks.copy(n, minLen, maxLen, seed);
      case "reverse" -> ToyTasks.reverse(n, minLen, maxLen, seed);
      default -> throw new IllegalArgumentException("--task must be copy or reverse, got " + task);
    };
    JsonlWriter.write(out, records);
    System.out.println("wrote " + records.size() + " records to " + out);
    return 0;
  }
}
