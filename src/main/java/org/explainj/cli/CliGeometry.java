package org.explainj.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.explainj.ExplainException;
import org.explainj.image.Geometry;

import ij.gui.Roi;
import ij.io.RoiDecoder;

/**
 * The geometry options of explain: --geometry, --window, --window-stride (not --stride: occlusion's own
 * parameter has that name), --roi x,y,w,h (repeatable) and --rois
 * with ImageJ's ROI files (one .roi, or a ROI Manager .zip). ROIs without --geometry mean geometry roi.
 */
final class CliGeometry {

	private CliGeometry() {}

	/**
	 * The geometry the common options gave ({@link org.explainj.job.JobOptions}) with the ROIs of --roi and
	 * --rois; ROIs without --geometry mean roi, and options of another geometry are refused.
	 */
	static Geometry withRois(Geometry chosen, Arguments a) {
		List<Roi> rois = rois(a);
		Geometry.Kind k = kind(chosen.kind(), rois);
		if ((chosen.window() != 0 || chosen.stride() != 0) && k != Geometry.Kind.TILE) throw new ExplainException(
			"--window and --window-stride belong to --geometry tile, not " + k.cliName() + ".",
			"Add --geometry tile, or leave them out.");
		return chosen.withKind(k).withRois(rois);
	}

	/** The ROIs of --roi (each) and --rois, in that order. */
	static List<Roi> rois(Arguments a) {
		List<Roi> rois = new ArrayList<>();
		for (String spec : a.all("roi")) rois.add(rectangle(spec));
		String file = a.get("rois", null);
		if (file != null) rois.addAll(read(Path.of(file)));
		return rois;
	}

	/** The kind chosen, or roi when ROIs are given under auto; ROIs with another geometry are refused. */
	static Geometry.Kind kind(Geometry.Kind chosen, List<Roi> rois) {
		if (rois.isEmpty()) return chosen;
		if (chosen == Geometry.Kind.AUTO) return Geometry.Kind.ROI;
		if (chosen != Geometry.Kind.ROI) throw new ExplainException("--roi and --rois belong to --geometry roi, not " +
			chosen.cliName() + ".", "Leave out --geometry (or give --geometry roi), or leave out the ROIs.");
		return chosen;
	}

	/** "x,y,w,h" in image pixels. */
	static Roi rectangle(String spec) {
		String[] parts = spec.split(",");
		int[] v = new int[4];
		try {
			if (parts.length != 4) throw new NumberFormatException();
			for (int i = 0; i < 4; i++) v[i] = Integer.parseInt(parts[i].trim());
		}
		catch (NumberFormatException e) {
			throw new ExplainException("--roi " + spec + " is not x,y,width,height in whole pixels.",
				"Write e.g. --roi 100,200,139,139.");
		}
		if (v[2] < 1 || v[3] < 1) throw new ExplainException("--roi " + spec + " has no area (width and height must be 1 " +
			"or more).", "Write e.g. --roi 100,200,139,139.");
		return new Roi(v[0], v[1], v[2], v[3]);
	}

	/** The ROIs of an ImageJ .roi file or ROI Manager .zip, in their order. */
	static List<Roi> read(Path file) {
		String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
		if (!Files.isRegularFile(file)) throw new ExplainException("ROI file not found: " + file + ".",
			"Give a .roi file or a ROI Manager .zip (More > Save... in the ROI Manager).");
		List<Roi> rois = new ArrayList<>();
		try {
			if (name.endsWith(".roi")) rois.add(decode(Files.readAllBytes(file), file.toString()));
			else if (name.endsWith(".zip")) {
				try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
					for (ZipEntry entry; (entry = zip.getNextEntry()) != null;) {
						if (entry.getName().toLowerCase(java.util.Locale.ROOT).endsWith(".roi")) rois.add(decode(zip.readAllBytes(),
							file + ":" + entry.getName()));
					}
				}
			}
			else throw new ExplainException("--rois " + file + " is neither a .roi nor a .zip file.",
				"Give a .roi file or a ROI Manager .zip (More > Save... in the ROI Manager).");
		}
		catch (IOException e) {
			throw new ExplainException("Cannot read the ROI file " + file + " (" + e.getMessage() + ").",
				"Give a .roi file or a ROI Manager .zip (More > Save... in the ROI Manager).");
		}
		if (rois.isEmpty()) throw new ExplainException("The ROI file " + file + " holds no ROIs.",
			"Save the ROIs from ImageJ's ROI Manager (More > Save...).");
		return rois;
	}

	private static Roi decode(byte[] bytes, String where) {
		Roi roi = RoiDecoder.openFromByteArray(bytes);
		if (roi == null) throw new ExplainException(where + " is not an ImageJ ROI.",
			"Give a .roi file or a ROI Manager .zip (More > Save... in the ROI Manager).");
		return roi;
	}
}
