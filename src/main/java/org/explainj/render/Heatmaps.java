package org.explainj.render;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

/** Turns raw maps into coloured pictures and overlays. */
public final class Heatmaps {

	/** Every overlay element ExplainJ adds is named with this prefix, so that a rerun can replace them. */
	public static final String PREFIX = "ExplainJ ";

	static final String COLOUR_BAR = PREFIX + "colour bar";

	private Heatmaps() {}

	/** The map in colour, with the range and colour table that suit it. */
	public static ColorProcessor colour(float[] map, int width, int height, DisplayRange range) {
		FloatProcessor fp = new FloatProcessor(width, height, map.clone());
		fp.setColorModel(range.lut().colorModel());
		fp.setMinAndMax(range.min(), range.max());
		return fp.convertToColorProcessor();
	}

	/**
	 * An overlay element holding the coloured map, named after method and target. Each pixel's alpha is
	 * |value| / the range's largest |value|: where the map is near zero the image shows through, so that
	 * the white (zero) of the diverging table does not veil the cell.
	 */
	public static ImageRoi overlay(float[] map, int width, int height, DisplayRange range, double opacity, String name) {
		int[] rgb = (int[]) colour(map, width, height, range).getPixels();
		double full = Math.max(Math.abs(range.min()), Math.abs(range.max()));
		int[] argb = new int[rgb.length];
		for (int i = 0; i < rgb.length; i++) {
			int alpha = (int) Math.round(255 * Math.min(1, Math.abs(map[i]) / full));
			argb[i] = alpha << 24 | rgb[i] & 0xffffff;
		}
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
		image.setRGB(0, 0, width, height, argb, 0, width);
		ImageRoi roi = new ImageRoi(0, 0, image);
		roi.setOpacity(opacity);
		roi.setName(name);
		return roi;
	}

	/**
	 * Shows {@code imp} (a new 32-bit image) in {@code range}'s colours and range, with its colour bar as
	 * the image's overlay.
	 */
	public static void showIn(ImagePlus imp, DisplayRange range) {
		imp.getProcessor().setColorModel(range.lut().colorModel());
		imp.setDisplayRange(range.min(), range.max());
		Overlay bar = new Overlay();
		colourBar(range, imp.getWidth(), imp.getHeight()).forEach(bar::add);
		imp.setOverlay(bar);
	}

	/**
	 * A colour bar for an image of the given size: the colour table as a strip in the lower left corner and
	 * the range's ends written above it, sized to the image so that it stays small on large images and
	 * readable (when zoomed) on small ones. Position 0: shown on every slice.
	 */
	public static List<Roi> colourBar(DisplayRange range, int width, int height) {
		int barWidth = Math.max(8, width * 2 / 5), barHeight = Math.max(2, height / 25);
		int margin = Math.max(1, Math.min(width, height) / 30);
		ColorProcessor strip = new ColorProcessor(barWidth, barHeight);
		int[] pixels = (int[]) strip.getPixels();
		java.awt.image.IndexColorModel lut = range.lut().colorModel();
		for (int x = 0; x < barWidth; x++) {
			int rgb = lut.getRGB((int) Math.round(255.0 * x / (barWidth - 1)));
			for (int y = 0; y < barHeight; y++) pixels[y * barWidth + x] = rgb;
		}
		ImageRoi bar = new ImageRoi(margin, height - margin - barHeight, strip);
		bar.setName(COLOUR_BAR);
		int fontSize = Math.max(5, height / 22);
		TextRoi text = new TextRoi(margin, height - margin - barHeight - fontSize * 1.4, String.format(Locale.ROOT,
			// spaces: the box ImageJ measures for the text is a little narrower than the drawn glyphs, the more
			// so when zoomed out (hinted small glyphs are wider), and the text is clipped to the box
			" %.3g .. %.3g   ", range.min(), range.max()), new Font(Font.SANS_SERIF, Font.PLAIN, fontSize));
		text.setStrokeColor(Color.WHITE);
		text.setFillColor(new Color(0, 0, 0, 128));
		text.setAntiAlias(true);
		text.setName(COLOUR_BAR + " range");
		return List.of(bar, text);
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
