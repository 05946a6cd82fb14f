package org.explainj.image;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import org.explainj.ExplainException;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelSidecar;

/**
 * How pixel values become model input values: x' = (x - low) / (high - low). The model must see the
 * same scaling it was trained with (for most Keras models: {@link #UNIT}).
 */
public enum IntensityScaling {
	/** Pixel values unchanged. */
	NONE,
	/** Divided by the pixel type's maximum (255 for 8-bit and RGB, 65535 for 16-bit, 1 for 32-bit). */
	UNIT,
	/** The image's own minimum and maximum to [0, 1]. */
	MINMAX,
	/** The image's 1st and 99.8th percentiles to [0, 1] (robust to hot pixels). */
	PERCENTILE;

	/** An integer image spanning less than this part of its type's range gets a note under {@link #UNIT}. */
	static final double NARROW_RANGE = 0.05;

	static final double LOW_PERCENTILE = 1.0;
	static final double HIGH_PERCENTILE = 99.8;

	public String cliName() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static IntensityScaling parse(String s) {
		for (IntensityScaling v : values()) if (v.cliName().equalsIgnoreCase(s.trim())) return v;
		throw new ExplainException("Unknown scaling '" + s + "'.", "Use " + names() + ".");
	}

	/**
	 * The scaling the model was trained with, as its sidecar says ("scaling"); {@link #UNIT} where it says
	 * nothing. A name that is not a scaling is refused with the file and the key named.
	 */
	public static IntensityScaling of(ClassifierModel model) {
		ModelSidecar sidecar = model.sidecar();
		if (sidecar.scaling().isEmpty()) return UNIT;
		String name = sidecar.scaling().get();
		for (IntensityScaling s : values()) if (s.cliName().equals(name)) return s;
		throw new ExplainException("\"scaling\" in " + sidecar.file() + " is '" + name + "', not a scaling ExplainJ knows.",
			"Write \"scaling\": one of " + names() + ".");
	}

	/** "none, unit, minmax or percentile". */
	public static String names() {
		java.util.List<String> names = Arrays.stream(values()).map(IntensityScaling::cliName).toList();
		return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
	}

	/**
	 * What the user should know about this scaling of the image: under {@link #UNIT}, an 8-bit, 16-bit or
	 * RGB image whose values span less than {@value #NARROW_RANGE} of its type's range reaches the model
	 * as a nearly flat input (a 16-bit image with values 0 to 188 gives inputs 0 to 0.003).
	 */
	Optional<String> note(ImageFrames frames) {
		if (this != UNIT || !frames.integer()) return Optional.empty();
		double[] range = frames.rawRange();
		double part = (range[1] - range[0]) / frames.typeMax();
		if (part >= NARROW_RANGE) return Optional.empty();
		return Optional.of(String.format(Locale.ROOT, "The image's values (%.0f to %.0f) use %.1f%% of its type's range " +
			"(0 to %.0f): unit scaling gives the model inputs from %.3g to %.3g only; unless the model was trained on such " +
			"images, choose scale=minmax (--scale minmax: the image's own range) or scale=percentile (robust to hot " +
			"pixels), or give the model's \"scaling\" in its explainj.json.", range[0], range[1], 100 * part, frames.typeMax(), range[0] / frames
				.typeMax(), range[1] / frames.typeMax()));
	}

	/**
	 * {low, high} for one image's pixel values (all its channel planes, read one at a time; percentiles
	 * need them all at once).
	 */
	double[] range(java.util.function.IntFunction<float[]> planes, int channels, double typeMax) {
		return switch (this) {
			case NONE -> new double[] { 0, 1 };
			case UNIT -> new double[] { 0, typeMax };
			case MINMAX -> {
				double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
				for (int c = 0; c < channels; c++) {
					for (float v : planes.apply(c)) {
						lo = Math.min(lo, v);
						hi = Math.max(hi, v);
					}
				}
				yield nonEmpty(lo, hi);
			}
			case PERCENTILE -> {
				float[] first = planes.apply(0);
				float[] sorted = Arrays.copyOf(first, first.length * channels);
				for (int c = 1; c < channels; c++) System.arraycopy(planes.apply(c), 0, sorted, c * first.length,
					first.length);
				Arrays.sort(sorted);
				yield nonEmpty(percentile(sorted, LOW_PERCENTILE), percentile(sorted, HIGH_PERCENTILE));
			}
		};
	}

	private static double percentile(float[] sorted, double p) {
		double pos = p / 100 * (sorted.length - 1);
		int i = (int) Math.floor(pos);
		int j = Math.min(i + 1, sorted.length - 1);
		return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
	}

	/** A flat image keeps its values shifted to 0 instead of dividing by zero. */
	private static double[] nonEmpty(double lo, double hi) {
		return new double[] { lo, hi > lo ? hi : lo + 1 };
	}
}
