package org.cpift.params;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A snapshot's digest: the same bits under the same names, and nothing else, give the same. */
class ParamSnapshotTest {
  static ParamSnapshot of(String name, long[] shape, float... v) {
    return new ParamSnapshot(List.of(new Param(name, shape, v)));
  }

  @Test
  void theDigestFollowsNamesShapesAndBits() {
    String d = of("w", new long[] {2, 2}, 1f, 2f, 3f, 4f).sha256();
    assertEquals(d, of("w", new long[] {2, 2}, 1f, 2f, 3f, 4f).sha256());
    assertNotEquals(d, of("v", new long[] {2, 2}, 1f, 2f, 3f, 4f).sha256());
    assertNotEquals(d, of("w", new long[] {4}, 1f, 2f, 3f, 4f).sha256());
    assertNotEquals(d, of("w", new long[] {2, 2}, 1f, 2f, 3f, Math.nextUp(4f)).sha256());
    // 0 and −0 compare equal as floats but are different bits
    assertNotEquals(of("z", new long[] {1}, 0f).sha256(), of("z", new long[] {1}, -0f).sha256());
    // a tensor larger than the digest's buffer (64 KiB) is hashed whole
    float[] big = new float[40_000];
    String b = of("big", new long[] {40_000}, big).sha256();
    big[39_999] = 1f;
    assertNotEquals(b, of("big", new long[] {40_000}, big).sha256());
  }
}
