package org.explainj.image;

import org.explainj.ExplainException;

import ij.ImagePlus;
import ij.ImageStack;

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
		int z = i % image.getNSlices() + 1, t = i / image.getNSlices() + 1;
		ImageStack stack = image.getStack();
		if (rgb) return (float[]) stack.getProcessor(image.getStackIndex(1, z, t)).toFloat(c, null).getPixels();
		return (float[]) stack.getProcessor(image.getStackIndex(c + 1, z, t)).toFloat(0, null).getPixels();
	}
}
