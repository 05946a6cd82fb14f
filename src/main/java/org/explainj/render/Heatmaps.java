package org.explainj.render;

import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

import ij.gui.ImageRoi;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

/** Turns raw maps into coloured pictures and overlays. */
public final class Heatmaps {

	private Heatmaps() {}

	/** The map in colour, with the range and colour table that suit it. */
	public static ColorProcessor colour(float[] map, int width, int height, DisplayRange range) {
		FloatProcessor fp = new FloatProcessor(width, height, map.clone());
		fp.setColorModel(range.lut().colorModel());
		fp.setMinAndMax(range.min(), range.max());
		return fp.convertToColorProcessor();
	}

	/** An overlay element holding the coloured map, named after method and target. */
	public static ImageRoi overlay(ColorProcessor heat, double opacity, String name) {
		ImageRoi roi = new ImageRoi(0, 0, heat);
		roi.setOpacity(opacity);
		roi.setName(name);
		return roi;
	}

	/** The source picture with the heatmap blended over it, as a flat RGB picture (for PNG files). */
	public static ColorProcessor blend(ImageProcessor source, ColorProcessor heat, double opacity) {
		BufferedImage out = new BufferedImage(source.getWidth(), source.getHeight(), BufferedImage.TYPE_INT_RGB);
		Graphics2D g = out.createGraphics();
		g.drawImage(source.convertToRGB().getBufferedImage(), 0, 0, null);
		g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, (float) opacity));
		g.drawImage(heat.resize(source.getWidth(), source.getHeight()).getBufferedImage(), 0, 0, null);
		g.dispose();
		return new ColorProcessor(out);
	}
}
