package org.explainj.image;

import org.explainj.ExplainException;

/**
 * Maps an image's channels to the model's as a [from, to] matrix applied in the graph: identity,
 * grey replicated to every model channel, or RGB averaged to grey.
 */
final class ChannelMapping {

	private ChannelMapping() {}

	static float[][] matrix(int from, int to, boolean rgb) {
		float[][] m = new float[from][to];
		if (from == to) {
			for (int i = 0; i < from; i++) m[i][i] = 1;
		}
		else if (from == 1) {
			for (int j = 0; j < to; j++) m[0][j] = 1;
		}
		else if (to == 1 && (rgb || from == 3)) {
			for (int i = 0; i < from; i++) m[i][0] = 1f / from;
		}
		else {
			throw new ExplainException("The image has " + from + " channels but the model expects " + to +
				" and there is no natural mapping between them.", "Give an image with " + to +
					" channels, a single-channel image" + (to == 3 ? " or an RGB image" : "") +
					" (Image > Color > Stack to RGB or Image > Duplicate... to pick channels).");
		}
		return m;
	}
}
