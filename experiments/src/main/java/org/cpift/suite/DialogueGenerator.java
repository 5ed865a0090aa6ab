package org.cpift.suite;

import static org.cpift.suite.TaskGenerator.between;
import static org.cpift.suite.TaskGenerator.pick;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cpift.data.SftRecord;
import org.cpift.task.Metric;
import org.cpift.util.Shuffle;

/**
 * {@code dialogue} (stands for UltraChat): multi-turn conversations in which the user states facts
 * about themselves (and sometimes a friend) over several turns; the last user turn asks about one
 * of them, and the answer must recall it from an earlier turn.
 */
public final class DialogueGenerator implements TaskGenerator {
  static final List<String> CITIES = List.of("Oslo", "Lima", "Rome", "Kyiv", "Cairo", "Quito",
      "Perth", "Dakar", "Porto", "Hanoi", "Seoul", "Tunis", "Bern", "Riga", "Accra", "Baku", "Nice",
      "Delhi", "Doha", "Split");
  static final List<String> JOBS = List.of("baker", "nurse", "pilot", "teacher", "farmer", "chef",
      "judge", "tailor", "plumber", "painter", "dentist", "miner", "clerk", "guide", "welder");
  static final List<String> PETS = List.of("cats", "dogs", "fish", "birds", "rabbits", "turtles");
  static final List<String> COUNTS = List.of("two", "three", "four", "five", "six");
  static final List<String> COLORS = List.of("red", "green", "blue", "yellow", "purple", "orange",
      "black", "white", "pink", "gray");
  static final List<String> HOBBIES = List.of("chess", "hiking", "painting", "cooking", "singing",
      "running", "fishing", "dancing", "reading", "knitting");
  static final List<String> ACKS = List.of("Nice to meet you!", "That sounds great.",
      "Thanks for sharing.", "Good to know.", "How lovely!", "I see.", "Interesting!");

  @Override
  public String name() {
    return "dialogue";
  }

  @Override
  public Metric metric() {
    return Metric.EXACT;
  }

  @Override
  public String description() {
    return "Stands for **UltraChat** (multi-turn dialogue). A user states facts (home city, job, "
        + "pets, favourite colour, hobby, age; sometimes a friend's city) over two to four turns, "
        + "the assistant acknowledges, and the last turn asks about one fact. The answer is one "
        + "templated sentence (\"You live in Oslo.\") that must recall the fact from the right "
        + "earlier turn. It tests use of conversational context.";
  }

  /** Longest prompt: conversations that would not fit the context are drawn again. */
  static final int MAX_PROMPT_CHARS = 230;

  @Override
  public SftRecord example(SplittableRandom rnd) {
    SftRecord r;
    do {
      r = draw(rnd);
    } while (r.prompt().length() > MAX_PROMPT_CHARS);
    return r;
  }

  private SftRecord draw(SplittableRandom rnd) {
    String city = pick(rnd, CITIES);
    String job = pick(rnd, JOBS);
    String pets = pick(rnd, COUNTS) + " " + pick(rnd, PETS);
    String color = pick(rnd, COLORS);
    String hobby = pick(rnd, HOBBIES);
    int age = between(rnd, 18, 79);
    String friend = pick(rnd, NAMES);
    String friendCity = pick(rnd, CITIES);
    while (friendCity.equals(city)) {
      friendCity = pick(rnd, CITIES);
    }
    List<String[]> facts = new ArrayList<>(List.of(
        new String[] {"I live in " + city + ".", "Where do I live?", "You live in " + city + "."},
        new String[] {"I work as a " + job + ".", "What is my job?", "You work as a " + job + "."},
        new String[] {"I have " + pets + ".", "What pets do I have?", "You have " + pets + "."},
        new String[] {"My favorite color is " + color + ".", "What is my favorite color?",
            "Your favorite color is " + color + "."},
        new String[] {"I like " + hobby + ".", "What do I like to do?", "You like " + hobby + "."},
        new String[] {"I am " + age + " years old.", "How old am I?",
            "You are " + age + " years old."},
        new String[] {"My friend " + friend + " lives in " + friendCity + ".",
            "Where does " + friend + " live?", friend + " lives in " + friendCity + "."}));
    // keep 3 to 4 facts, in random order
    Shuffle.inPlace(facts, rnd);
    int keep = between(rnd, 3, 4);
    List<String[]> kept = facts.subList(0, keep);
    String[] asked = kept.get(rnd.nextInt(keep));
    StringBuilder p = new StringBuilder();
    int turns = between(rnd, 2, Math.min(3, keep));
    int f = 0;
    for (int t = 0; t < turns; t++) {
      int inThisTurn = t == turns - 1 ? keep - f : Math.max(1, (keep - f) / (turns - t));
      StringBuilder said = new StringBuilder();
      for (int i = 0; i < inThisTurn; i++) {
        said.append(i > 0 ? " " : "").append(kept.get(f++)[0]);
      }
      p.append("User: ").append(said).append("\nBot: ").append(pick(rnd, ACKS)).append('\n');
    }
    p.append("User: ").append(asked[1]).append("\nBot:");
    return new SftRecord(p.toString(), asked[2]);
  }

  /** {@code User:}/{@code Bot:} → {@code Person:}/{@code Reply:}. */
  @Override
  public String reword(String prompt) {
    return prompt.replace("User: ", "Person: ").replace("Bot:", "Reply:");
  }

  /** One fact in one turn, then the question about it (the task holds three or four facts). */
  @Override
  public SftRecord warmupExample(SplittableRandom rnd) {
    String[] f = switch (rnd.nextInt(6)) {
      case 0 -> {
        String city = pick(rnd, CITIES);
        yield new String[] {"I live in " + city + ".", "Where do I live?", "You live in " + city + "."};
      }
      case 1 -> {
        String job = pick(rnd, JOBS);
        yield new String[] {"I work as a " + job + ".", "What is my job?", "You work as a " + job + "."};
      }
      case 2 -> {
        String pets = pick(rnd, COUNTS) + " " + pick(rnd, PETS);
        yield new String[] {"I have " + pets + ".", "What pets do I have?", "You have " + pets + "."};
      }
      case 3 -> {
        String hobby = pick(rnd, HOBBIES);
        yield new String[] {"I like " + hobby + ".", "What do I like to do?", "You like " + hobby + "."};
      }
      case 4 -> {
        int age = between(rnd, 18, 79);
        yield new String[] {"I am " + age + " years old.", "How old am I?",
            "You are " + age + " years old."};
      }
      default -> {
        String friend = pick(rnd, NAMES);
        String city = pick(rnd, CITIES);
        yield new String[] {"My friend " + friend + " lives in " + city + ".",
            "Where does " + friend + " live?", friend + " lives in " + city + "."};
      }
    };
    return new SftRecord("User: " + f[0] + "\nBot: " + pick(rnd, ACKS) + "\nUser: " + f[1]
        + "\nBot:", f[2]);
  }

  @Override
  public List<String> pretrainingText(SplittableRandom rnd, int documents) {
    List<String> out = new ArrayList<>();
    for (int d = 0; d < documents; d++) {
      String who = pick(rnd, NAMES);
      out.add(who + " moved to " + pick(rnd, CITIES) + " and became a " + pick(rnd, JOBS) + ". "
          + who + " has " + pick(rnd, COUNTS) + " " + pick(rnd, PETS) + " and likes "
          + pick(rnd, HOBBIES) + ". The door was " + pick(rnd, COLORS) + ".");
    }
    return out;
  }
}
