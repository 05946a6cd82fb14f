package org.explainj.methods;

import java.util.Map;

/**
 * The raw result for a batch: maps [n, height, width, channels] (channels = 1 after a reduction), never
 * clipped or normalised, and per image the predicted class, the explained class, the explained score,
 * all class probabilities and the method's own diagnostics (e.g. the completeness gap), name -> [n].
 */
public record Explanation(String method, float[] maps, int n, int height, int width, int channels, int[] predicted,
	int[] targets, float[] targetScores, float[][] probabilities, Map<String, float[]> diagnostics)
{
	public int mapSize() {
		return height * width * channels;
	}

	/** The map of image i as a copy. */
	public float[] map(int i) {
		float[] m = new float[mapSize()];
		System.arraycopy(maps, i * mapSize(), m, 0, m.length);
		return m;
	}
}
