package org.explainj.methods;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.explainj.ExplainException;

/**
 * The Sobol low-discrepancy sequence (Joe and Kuo's direction numbers, Gray-code order, starting at the
 * origin). TensorFlow Java's native library has no kernel for SobolSample, so the design, one row per
 * mask and one column per grid cell (not per pixel), is made here and fed as a constant.
 */
final class SobolSequence {

	private static final int DIGITS = 24;
	private static final long[][] DIRECTIONS = read();

	private SobolSequence() {}

	/** The largest dimension the bundled direction numbers allow. */
	static int maxDimensions() {
		return DIRECTIONS.length;
	}

	/** The first n points in [0, 1)^d, row-major [n][d]. */
	static float[][] points(int n, int d) {
		if (d > DIRECTIONS.length) throw new ExplainException("The Sobol design needs " + d + " dimensions; at most " +
			DIRECTIONS.length + " are bundled.", "Use fewer cells.");
		if (n > 1 << DIGITS) throw new ExplainException("The Sobol design cannot have more than " + (1 << DIGITS) +
			" points.", "Use fewer masks.");
		float[][] out = new float[n][d];
		long[] x = new long[d];
		for (int i = 1; i < n; i++) {
			int c = Integer.numberOfTrailingZeros(i);
			for (int j = 0; j < d; j++) {
				x[j] ^= DIRECTIONS[j][c];
				out[i][j] = (float) (x[j] / (double) (1L << DIGITS));
			}
		}
		return out;
	}

	/** v_k = m_k 2^(DIGITS - k) for digit k = 1..DIGITS. */
	private static long[][] read() {
		List<long[]> rows = new ArrayList<>();
		try (BufferedReader r = new BufferedReader(new InputStreamReader(SobolSequence.class.getResourceAsStream(
			"sobol-directions.txt"), StandardCharsets.US_ASCII)))
		{
			for (String line = r.readLine(); line != null; line = r.readLine()) {
				if (line.startsWith("#") || line.isBlank()) continue;
				String[] m = line.trim().split(" ");
				long[] v = new long[DIGITS];
				for (int k = 0; k < DIGITS; k++) v[k] = Long.parseLong(m[k]) << (DIGITS - 1 - k);
				rows.add(v);
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return rows.toArray(long[][]::new);
	}
}
