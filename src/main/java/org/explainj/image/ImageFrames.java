package org.explainj.image;

import java.util.ArrayList;
import java.util.List;

import org.explainj.ExplainException;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;

/**
 * The images to explain as ImgLib2 float images (x, y, channel), one per z-slice and time point of an
 * ImagePlus. The pixel data are copies: nothing done here or later touches the source image.
 */
public record ImageFrames(List<ArrayImg<FloatType, FloatArray>> frames, int width, int height, int channels,
	double typeMax, boolean rgb)
{
	public static ImageFrames of(ImagePlus imp) {
		if (imp == null) throw new ExplainException("There is no image.", "Open an image first.");
		int w = imp.getWidth(), h = imp.getHeight();
		boolean rgb = imp.getType() == ImagePlus.COLOR_RGB;
		int c = rgb ? 3 : imp.getNChannels();
		ImageStack stack = imp.getStack();
		List<ArrayImg<FloatType, FloatArray>> frames = new ArrayList<>();
		for (int t = 1; t <= imp.getNFrames(); t++) {
			for (int z = 1; z <= imp.getNSlices(); z++) {
				float[] planar = new float[w * h * c];
				if (rgb) {
					ColorProcessor cp = (ColorProcessor) stack.getProcessor(imp.getStackIndex(1, z, t));
					for (int ch = 0; ch < 3; ch++) {
						System.arraycopy(cp.toFloat(ch, null).getPixels(), 0, planar, ch * w * h, w * h);
					}
				}
				else {
					for (int ch = 0; ch < c; ch++) {
						var ip = stack.getProcessor(imp.getStackIndex(ch + 1, z, t));
						System.arraycopy(ip.toFloat(0, null).getPixels(), 0, planar, ch * w * h, w * h);
					}
				}
				frames.add(ArrayImgs.floats(planar, w, h, c));
			}
		}
		return new ImageFrames(frames, w, h, c, typeMax(imp), rgb);
	}

	private static double typeMax(ImagePlus imp) {
		return switch (imp.getBitDepth()) {
			case 8, 24 -> 255;
			case 16 -> 65535;
			default -> 1;
		};
	}

	public int count() {
		return frames.size();
	}

	/** The planar pixels (x fastest, then y, then channel) of frame i; not a copy. */
	float[] planar(int i) {
		return frames.get(i).update(null).getCurrentStorageArray();
	}
}
