package org.explainj.render;

import java.util.Arrays;

/**
 * The display range of a map: symmetric around 0 for signed maps, [0, p] for non-negative ones, where p
 * is the 99.5th percentile of |R| so that a few extreme pixels do not wash out the rest. Only the
 * picture uses it; saved data stay raw. Maps of more than {@link #SAMPLE} pixels (an 8000 x 8000
 * image) take the percentile of every k-th pixel, so that no full-size copy is sorted.
 */
public record DisplayRange(double min, double max, boolean signed) {

	public static final double DEFAULT_PERCENTILE = 99.5;
	static final int SAMPLE = 1 << 22;

	public static DisplayRange of(float[] map) {
		return of(map, DEFAULT_PERCENTILE);
	}

	public static DisplayRange of(float[] map, double percentile) {
		boolean signed = false;
		for (float v : map) signed |= v < 0;
		int step = Math.max(1, (map.length + SAMPLE - 1) / SAMPLE);
		float[] abs = new float[(map.length + step - 1) / step];
		for (int i = 0; i < abs.length; i++) abs[i] = Math.abs(map[i * step]);
		Arrays.sort(abs);
		double p = abs.length == 0 ? 0 : abs[(int) Math.min(abs.length - 1, Math.round(percentile / 100 * (abs.length - 1)))];
		if (!(p > 0)) p = abs.length == 0 || !(abs[abs.length - 1] > 0) ? 1 : abs[abs.length - 1];
		return signed ? new DisplayRange(-p, p, true) : new DisplayRange(0, p, false);
	}

	public HeatmapLut lut() {
		return signed ? HeatmapLut.DIVERGING : HeatmapLut.SEQUENTIAL;
	}
}
