package org.explainj.render;

import java.awt.image.IndexColorModel;

/**
 * Colour tables for maps: a diverging blue-white-red one for signed relevance (white = 0) and a
 * perceptually ordered black-purple-orange-yellow one for non-negative maps (saliency, sensitivity).
 */
public enum HeatmapLut {
	DIVERGING(new int[][] { { 0, 0x3b4cc0 }, { 128, 0xf7f7f7 }, { 255, 0xb40426 } }),
	SEQUENTIAL(new int[][] { { 0, 0x000004 }, { 64, 0x56106e }, { 128, 0xbb3754 }, { 192, 0xf98e09 },
		{ 255, 0xfcffa4 } });

	private final IndexColorModel model;

	HeatmapLut(int[][] stops) {
		byte[] r = new byte[256], g = new byte[256], b = new byte[256];
		for (int s = 0; s + 1 < stops.length; s++) {
			int i0 = stops[s][0], i1 = stops[s + 1][0];
			for (int i = i0; i <= i1; i++) {
				double t = (i - i0) / (double) (i1 - i0);
				r[i] = (byte) mix(stops[s][1] >> 16, stops[s + 1][1] >> 16, t);
				g[i] = (byte) mix(stops[s][1] >> 8, stops[s + 1][1] >> 8, t);
				b[i] = (byte) mix(stops[s][1], stops[s + 1][1], t);
			}
		}
		model = new IndexColorModel(8, 256, r, g, b);
	}

	private static int mix(int a, int b, double t) {
		return (int) Math.round((a & 0xff) * (1 - t) + (b & 0xff) * t);
	}

	public IndexColorModel colorModel() {
		return model;
	}
}
