package org.explainj.metrics;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * How alike two relevance maps of one image are (the statistics of Adebayo et al. 2018), on |R|:
 * Spearman's rank correlation, the structural similarity (SSIM) of the maps scaled to [0, 1], and the
 * overlap of their top 10%. These are statistics on two small finished maps (the maps themselves come
 * from the graph), so they are computed here.
 */
public final class MapSimilarity {

	/** SSIM's window side (scikit-image's default), shrunk to the map where it is smaller. */
	static final int SSIM_WINDOW = 7;

	private MapSimilarity() {}

	/** Spearman's rank correlation of |a| and |b|: the Pearson correlation of their ranks, ties averaged. */
	public static double spearman(float[] a, float[] b) {
		return pearson(ranks(abs(a)), ranks(abs(b)));
	}

	/** The Pearson correlation; 0 when either side is constant. */
	public static double pearson(double[] x, double[] y) {
		double mx = Arrays.stream(x).average().orElse(0), my = Arrays.stream(y).average().orElse(0);
		double sxy = 0, sxx = 0, syy = 0;
		for (int i = 0; i < x.length; i++) {
			sxy += (x[i] - mx) * (y[i] - my);
			sxx += (x[i] - mx) * (x[i] - mx);
			syy += (y[i] - my) * (y[i] - my);
		}
		return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
	}

	/**
	 * The mean SSIM of |a| / max|a| and |b| / max|b| (data range 1) over every w x w window inside the
	 * maps (w = 7, or the map's shorter side), uniform weights, sample covariances, C1 = 0.01^2, C2 = 0.03^2.
	 */
	public static double ssim(float[] a, float[] b, int width, int height) {
		double[] x = unit(abs(a)), y = unit(abs(b));
		int w = Math.min(SSIM_WINDOW, Math.min(width, height));
		double n = w * w, c1 = 1e-4, c2 = 9e-4, sum = 0;
		int windows = 0;
		for (int top = 0; top + w <= height; top++) {
			for (int left = 0; left + w <= width; left++) {
				double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
				for (int r = top; r < top + w; r++) {
					for (int c = left; c < left + w; c++) {
						double u = x[r * width + c], v = y[r * width + c];
						sx += u;
						sy += v;
						sxx += u * u;
						syy += v * v;
						sxy += u * v;
					}
				}
				double mx = sx / n, my = sy / n;
				double vx = (sxx - n * mx * mx) / (n - 1), vy = (syy - n * my * my) / (n - 1);
				double cxy = (sxy - n * mx * my) / (n - 1);
				sum += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
				windows++;
			}
		}
		return sum / windows;
	}

	/**
	 * The share of a's top 10% of pixels by |R| (ceil(n / 10) pixels; ties broken by position) that are also
	 * among b's top 10%.
	 */
	public static double topOverlap(float[] a, float[] b, double fraction) {
		int k = (int) Math.ceil(fraction * a.length);
		boolean[] inB = new boolean[b.length];
		for (int i : top(abs(b), k)) inB[i] = true;
		return Arrays.stream(top(abs(a), k)).filter(i -> inB[i]).count() / (double) k;
	}

	private static int[] top(double[] v, int k) {
		return IntStream.range(0, v.length).boxed().sorted(Comparator.comparingDouble((Integer i) -> -v[i])).limit(k)
			.mapToInt(Integer::intValue).toArray();
	}

	/** Ranks 1..n, tied values getting the mean of their ranks. */
	static double[] ranks(double[] v) {
		Integer[] order = IntStream.range(0, v.length).boxed().sorted(Comparator.comparingDouble(i -> v[i])).toArray(
			Integer[]::new);
		double[] ranks = new double[v.length];
		for (int start = 0; start < order.length;) {
			int end = start;
			while (end + 1 < order.length && v[order[end + 1]] == v[order[start]]) end++;
			double mean = (start + end) / 2.0 + 1;
			for (int i = start; i <= end; i++) ranks[order[i]] = mean;
			start = end + 1;
		}
		return ranks;
	}

	private static double[] abs(float[] a) {
		double[] out = new double[a.length];
		for (int i = 0; i < a.length; i++) out[i] = Math.abs(a[i]);
		return out;
	}

	/** v / max(v); all zeros stay zeros. */
	private static double[] unit(double[] v) {
		double max = Arrays.stream(v).max().orElse(0);
		return max == 0 ? v : Arrays.stream(v).map(x -> x / max).toArray();
	}
}
