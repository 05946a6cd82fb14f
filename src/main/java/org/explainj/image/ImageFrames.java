package org.explainj.image;

import org.explainj.ExplainException;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Measurements;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.process.ImageStatistics;

/**
 * The images to explain, one per z-slice and time point of an ImagePlus, made of a chosen set of its
 * channels (all by default), read one channel plane at a time: a plane is a float copy made when it is
 * needed, so that a huge image never exists as a whole float copy and nothing done here or later
 * touches the source image.
 *
 * @param selected the image's channels (0-based, in the order the model gets them) that are explained
 */
public record ImageFrames(ImagePlus image, int width, int height, int[] selected, double typeMax, boolean rgb) {

	/** How channels are chosen, for messages: the forms {@link #of(ImagePlus, String)} reads. */
	public static final String CHANNEL_FORMS = "all, one channel (2), a range (1-3) or a list (1,3,4)";

	public static ImageFrames of(ImagePlus imp) {
		return of(imp, null);
	}

	/**
	 * The frames of the chosen channels: {@code channels} is "all" (or null or blank), one channel, a
	 * range "1-3" or a list "1,3,4" (1-based, as ImageJ counts them; an RGB image has 3).
	 */
	public static ImageFrames of(ImagePlus imp, String channels) {
		if (imp == null) throw new ExplainException("There is no image.", "Open an image first.");
		boolean rgb = imp.getType() == ImagePlus.COLOR_RGB;
		return new ImageFrames(imp, imp.getWidth(), imp.getHeight(), selection(channels, rgb ? 3 : imp.getNChannels()),
			typeMax(imp), rgb);
	}

	static int[] selection(String text, int available) {
		if (text == null || text.isBlank() || text.strip().equalsIgnoreCase("all")) return java.util.stream.IntStream.range(
			0, available).toArray();
		java.util.List<Integer> chosen = new java.util.ArrayList<>();
		for (String part : text.split(",")) {
			java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*(\\d+)\\s*(?:-\\s*(\\d+)\\s*)?").matcher(part);
			if (!m.matches()) throw new ExplainException("Cannot read the channels '" + text + "'.", "Give " + CHANNEL_FORMS +
				".");
			int first = Integer.parseInt(m.group(1)), last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
			if (first < 1 || last > available || last < first) throw new ExplainException("The channels '" + text + "' are " +
				"not channels of the image, which has " + available + (available == 1 ? " channel." : " channels."), "Give " +
					"all, or channels between 1 and " + available + " as one (1), a range (1-" + available + ") or a list (" +
						(available > 1 ? "1," + available : "1") + ").");
			for (int c = first; c <= last; c++) chosen.add(c - 1);
		}
		return chosen.stream().mapToInt(Integer::intValue).toArray();
	}

	private static double typeMax(ImagePlus imp) {
		return switch (imp.getBitDepth()) {
			case 8, 24 -> 255;
			case 16 -> 65535;
			default -> 1;
		};
	}

	/** The number of channels explained. */
	public int channels() {
		return selected.length;
	}

	/** The chosen channels as the user counts them: "1-3", "2", "1,3". */
	public String channelText() {
		StringBuilder s = new StringBuilder();
		for (int i = 0; i < selected.length; i++) {
			int j = i;
			while (j + 1 < selected.length && selected[j + 1] == selected[j] + 1) j++;
			if (s.length() > 0) s.append(',');
			s.append(selected[i] + 1);
			if (j > i) s.append('-').append(selected[j] + 1);
			i = j;
		}
		return s.toString();
	}

	/** Slices times time points. */
	public int count() {
		return image.getNSlices() * image.getNFrames();
	}

	/** An 8-bit, 16-bit or RGB image whose raw values are whole numbers in 0..typeMax. */
	boolean integer() {
		return image.getBitDepth() != 32;
	}

	/**
	 * {min, max} of the raw values of the chosen channels over all frames, from ImageJ's statistics of
	 * each plane (a histogram for 8- and 16-bit planes: no float copy).
	 */
	double[] rawRange() {
		double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
		for (int i = 0; i < count(); i++) {
			for (int c = 0; c < channels(); c++) {
				ImageProcessor ip = processor(i, c);
				if (rgb) ip = ((ColorProcessor) ip).getChannel(selected[c] + 1, null);
				ImageStatistics stats = ImageStatistics.getStatistics(ip, Measurements.MIN_MAX, null);
				lo = Math.min(lo, stats.min);
				hi = Math.max(hi, stats.max);
			}
		}
		return new double[] { lo, hi };
	}

	/** The pixels of channel c of frame i (z fastest, then t), x fastest then y: a new array. */
	float[] plane(int i, int c) {
		ImageProcessor ip = processor(i, c);
		return (float[]) ip.toFloat(rgb ? selected[c] : 0, null).getPixels();
	}

	/**
	 * The same plane as a tensor [height, width] of the pixel type (uint8, uint16 or float: 1 to 4 bytes a
	 * pixel instead of a float copy in Java); float where a calibration table maps the raw values.
	 */
	Tensor planeTensor(int i, int c) {
		ImageProcessor ip = processor(i, c);
		Shape shape = Shape.of(height, width);
		if (rgb) return TUint8.tensorOf(shape, DataBuffers.of((byte[]) ((ColorProcessor) ip).getChannel(selected[c] + 1,
			null).getPixels(), true, false));
		if (ip.getCalibrationTable() != null) return TFloat32.tensorOf(shape, DataBuffers.of(plane(i, c), true, false));
		return switch (ip.getBitDepth()) {
			case 8 -> TUint8.tensorOf(shape, DataBuffers.of((byte[]) ip.getPixels(), true, false));
			case 16 -> TUint16.tensorOf(shape, DataBuffers.of((short[]) ip.getPixels(), true, false));
			default -> TFloat32.tensorOf(shape, DataBuffers.of((float[]) ip.getPixels(), true, false));
		};
	}

	/**
	 * Rows [y, y + rows) of every channel plane of frame i as one tensor of the pixel type, for tiling:
	 * [channels, rows, width] of uint8, uint16 or float, or for RGB [rows, width] of packed int32 pixels
	 * (split into channels in the graph). Contiguous rows are copied as they are; no float copy.
	 */
	Tensor band(int i, int y, int rows) {
		Shape shape = rgb ? Shape.of(rows, width) : Shape.of(channels(), rows, width);
		int from = y * width, size = rows * width;
		ImageProcessor first = processor(i, 0);
		if (rgb) return org.tensorflow.types.TInt32.tensorOf(shape, DataBuffers.of(java.util.Arrays.copyOfRange((int[]) first
			.getPixels(), from, from + size), true, false));
		Object pixels = java.lang.reflect.Array.newInstance(first.getPixels().getClass().getComponentType(), channels() *
			size);
		for (int c = 0; c < channels(); c++) System.arraycopy(processor(i, c).getPixels(), from, pixels, c * size, size);
		return switch (first.getBitDepth()) {
			case 8 -> TUint8.tensorOf(shape, DataBuffers.of((byte[]) pixels, true, false));
			case 16 -> TUint16.tensorOf(shape, DataBuffers.of((short[]) pixels, true, false));
			default -> TFloat32.tensorOf(shape, DataBuffers.of((float[]) pixels, true, false));
		};
	}

	/**
	 * The values of an 8- or 16-bit image's raw pixel values (its calibration table, else the values
	 * themselves), looked up in the graph; null for RGB and float images.
	 */
	float[] valueTable() {
		if (rgb || image.getBitDepth() == 32) return null;
		float[] table = image.getProcessor().getCalibrationTable();
		if (table != null) return table;
		table = new float[image.getBitDepth() == 8 ? 256 : 65536];
		for (int v = 0; v < table.length; v++) table[v] = v;
		return table;
	}

	private ImageProcessor processor(int i, int c) {
		int z = i % image.getNSlices() + 1, t = i / image.getNSlices() + 1;
		ImageStack stack = image.getStack();
		return stack.getProcessor(image.getStackIndex(rgb ? 1 : selected[c] + 1, z, t));
	}
}
