package org.cpift.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;

/**
 * The tasks of a suite directory: every sub-folder with a {@code task.json}. The order is the one
 * listed in an optional {@code suite.json} ({@code {"tasks": ["math", ...]}}), then the remaining
 * folders by name — so a user adds a task by dropping a folder next to the built-in ones.
 */
public final class Suite {
  private final Path dir;
  private final Map<String, Task> tasks;

  private Suite(Path dir, Map<String, Task> tasks) {
    this.dir = dir;
    this.tasks = tasks;
  }

  public static Suite load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new CpiftException("suite directory not found: " + dir + " (give a suite: a folder of task "
          + "folders, e.g. benchmarks-data/suite-v2)");
    }
    List<Path> folders;
    try (Stream<Path> s = Files.list(dir)) {
      folders = new ArrayList<>(s.filter(p -> Files.isRegularFile(p.resolve(Task.SPEC_FILE)))
          .sorted().toList());
    } catch (IOException e) {
      throw new CpiftException("cannot list " + dir + ": " + e.getMessage());
    }
    List<String> order = new ArrayList<>();
    Path suiteJson = dir.resolve("suite.json");
    if (Files.isRegularFile(suiteJson)) {
      try {
        JsonNode n = Json.STRICT.readTree(suiteJson.toFile());
        n.path("tasks").forEach(t -> order.add(t.asText()));
      } catch (IOException e) {
        throw new CpiftException(suiteJson + ": not valid JSON (" + e.getMessage() + "); fix it or "
            + "delete it (the tasks then load in folder order)");
      }
    }
    Map<String, Task> byName = new LinkedHashMap<>();
    List<Task> loaded = new ArrayList<>();
    for (Path f : folders) {
      loaded.add(Task.load(f));
    }
    for (String name : order) {
      Task listed = loaded.stream().filter(t -> t.name().equals(name)).findFirst()
          .orElseThrow(() -> new CpiftException(suiteJson + " lists task '" + name + "', but no "
              + "folder of " + dir + " holds a task.json named so (tasks found: "
              + loaded.stream().map(Task::name).toList() + "); restore its folder, or remove the "
              + "name from suite.json"));
      byName.put(name, listed);
    }
    for (Task t : loaded) {
      if (byName.containsKey(t.name()) && byName.get(t.name()) != t) {
        throw new CpiftException("two task folders in " + dir + " are named '" + t.name()
            + "'; rename one (field \"name\" of its task.json)");
      }
      byName.putIfAbsent(t.name(), t);
    }
    if (byName.isEmpty()) {
      throw new CpiftException("no task folders (with task.json) in " + dir + "; give a suite: a "
          + "folder whose subfolders each hold a task.json (see README, Adding a task)");
    }
    return new Suite(dir, Collections.unmodifiableMap(byName));
  }

  public Path dir() {
    return dir;
  }

  public List<Task> tasks() {
    return List.copyOf(tasks.values());
  }

  public List<String> names() {
    return List.copyOf(tasks.keySet());
  }

  public Task task(String name) {
    Task t = tasks.get(name);
    if (t == null) {
      throw new CpiftException("no task '" + name + "' in suite " + dir + "; choose from "
          + names());
    }
    return t;
  }
}
