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
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

/**
 * The images to explain, one per z-slice and time point of an ImagePlus, read one channel plane at a
 * time: a plane is a float copy made when it is needed, so that a huge image never exists as a whole
 * float copy and nothing done here or later touches the source image.
 */
public record ImageFrames(ImagePlus image, int width, int height, int channels, double typeMax, boolean rgb) {

	public static ImageFrames of(ImagePlus imp) {
		if (imp == null) throw new ExplainException("There is no image.", "Open an image first.");
		boolean rgb = imp.getType() == ImagePlus.COLOR_RGB;
		return new ImageFrames(imp, imp.getWidth(), imp.getHeight(), rgb ? 3 : imp.getNChannels(), typeMax(imp), rgb);
	}

	private static double typeMax(ImagePlus imp) {
		return switch (imp.getBitDepth()) {
			case 8, 24 -> 255;
			case 16 -> 65535;
			default -> 1;
		};
	}

	/** Slices times time points. */
	public int count() {
		return image.getNSlices() * image.getNFrames();
	}

	/** The pixels of channel c of frame i (z fastest, then t), x fastest then y: a new array. */
	float[] plane(int i, int c) {
		ImageProcessor ip = processor(i, c);
		return (float[]) ip.toFloat(rgb ? c : 0, null).getPixels();
	}

	/**
	 * The same plane as a tensor [height, width] of the pixel type (uint8, uint16 or float: 1 to 4 bytes a
	 * pixel instead of a float copy in Java); float where a calibration table maps the raw values.
	 */
	Tensor planeTensor(int i, int c) {
		ImageProcessor ip = processor(i, c);
		Shape shape = Shape.of(height, width);
		if (rgb) return TUint8.tensorOf(shape, DataBuffers.of((byte[]) ((ColorProcessor) ip).getChannel(c + 1,
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
		Shape shape = rgb ? Shape.of(rows, width) : Shape.of(channels, rows, width);
		int from = y * width, size = rows * width;
		ImageProcessor first = processor(i, 0);
		if (rgb) return org.tensorflow.types.TInt32.tensorOf(shape, DataBuffers.of(java.util.Arrays.copyOfRange((int[]) first
			.getPixels(), from, from + size), true, false));
		Object pixels = java.lang.reflect.Array.newInstance(first.getPixels().getClass().getComponentType(), channels * size);
		for (int c = 0; c < channels; c++) System.arraycopy(processor(i, c).getPixels(), from, pixels, c * size, size);
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
		return stack.getProcessor(image.getStackIndex(rgb ? 1 : c + 1, z, t));
	}
}
