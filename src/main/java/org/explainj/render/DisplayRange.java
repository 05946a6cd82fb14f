package org.explainj.render;

import java.util.Arrays;

/**
 * The display range of a map: symmetric around 0 for signed maps, [0, p] for non-negative ones, where p
 * is the 99.5th percentile of |R| so that a few extreme pixels do not wash out the rest. Only the
 * picture uses it; saved data stay raw.
 */
public record DisplayRange(double min, double max, boolean signed) {

	public static final double DEFAULT_PERCENTILE = 99.5;

	public static DisplayRange of(float[] map) {
		return of(map, DEFAULT_PERCENTILE);
	}

	public static DisplayRange of(float[] map, double percentile) {
		boolean signed = false;
		float[] abs = new float[map.length];
		for (int i = 0; i < map.length; i++) {
			signed |= map[i] < 0;
			abs[i] = Math.abs(map[i]);
		}
		Arrays.sort(abs);
		double p = abs.length == 0 ? 0 : abs[(int) Math.min(abs.length - 1, Math.round(percentile / 100 * (abs.length - 1)))];
		if (!(p > 0)) p = abs.length == 0 || !(abs[abs.length - 1] > 0) ? 1 : abs[abs.length - 1];
		return signed ? new DisplayRange(-p, p, true) : new DisplayRange(0, p, false);
	}

	public HeatmapLut lut() {
		return signed ? HeatmapLut.DIVERGING : HeatmapLut.SEQUENTIAL;
	}
}
