package org.explainj.render;

import java.awt.Color;
import java.awt.Font;
import java.util.List;

import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

/** A grid of pictures with column titles and a caption per row (cells x methods in the demo). */
public final class Montage {

	private static final int HEADER = 22;
	private static final int CAPTION = 18;
	private static final int GAP = 4;

	private Montage() {}

	public static ColorProcessor build(List<String> columnTitles, List<String> rowCaptions,
		List<List<ImageProcessor>> rows, int tile)
	{
		int cols = columnTitles.size();
		int width = cols * (tile + GAP) + GAP;
		int height = HEADER + rows.size() * (tile + CAPTION + GAP);
		ColorProcessor out = new ColorProcessor(width, height);
		out.setColor(Color.WHITE);
		out.fill();
		out.setAntialiasedText(true);
		out.setColor(Color.BLACK);
		out.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
		for (int c = 0; c < cols; c++) {
			out.drawString(columnTitles.get(c), GAP + c * (tile + GAP) + 2, HEADER - 5);
		}
		out.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
		for (int r = 0; r < rows.size(); r++) {
			int y = HEADER + r * (tile + CAPTION + GAP);
			List<ImageProcessor> row = rows.get(r);
			for (int c = 0; c < row.size(); c++) {
				ImageProcessor ip = row.get(c).convertToRGB();
				ip.setInterpolationMethod(ImageProcessor.BILINEAR);
				out.insert(ip.resize(tile, tile), GAP + c * (tile + GAP), y);
			}
			out.drawString(rowCaptions.get(r), GAP + 2, y + tile + CAPTION - 4);
		}
		return out;
	}
}
