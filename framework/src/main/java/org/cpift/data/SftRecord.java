package org.cpift.data;

/**
 * One supervised fine-tuning example in the canonical format: a prompt and its answer, with an
 * optional id and task name. JSONL line: {@code {"prompt": "...", "answer": "...", "id": "...",
 * "task": "..."}}.
 */
public record SftRecord(String prompt, String answer, String id, String task) {
  public SftRecord {
    if (prompt == null || answer == null) {
      throw new IllegalArgumentException("prompt and answer are required");
    }
  }

  public SftRecord(String prompt, String answer) {
    this(prompt, answer, null, null);
  }
}
