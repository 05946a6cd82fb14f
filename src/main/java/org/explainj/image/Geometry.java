package org.explainj.image;

import java.util.List;
import java.util.Locale;

import org.explainj.ExplainException;

import ij.gui.Roi;

/**
 * Which parts of an image are brought to the model: {@link Kind#FIT} the whole image resized to the
 * input; {@link Kind#TILE} sliding windows of {@code window} image pixels every {@code stride} pixels,
 * blended back into an image-size map; {@link Kind#ROI} each of {@code rois} (or the image's selection)
 * cropped to its bounding box. {@link Kind#AUTO}, the default, fits the image but explains a selection
 * when there is one, and warns when the image is much larger than the input. {@code window} 0 means the
 * model's input size, {@code stride} 0 half the window.
 */
public record Geometry(Kind kind, int window, int stride, List<Roi> rois) {

	public enum Kind {
		AUTO, FIT, TILE, ROI;

		public String cliName() {
			return name().toLowerCase(Locale.ROOT);
		}
	}

	public static final Geometry AUTO = new Geometry(Kind.AUTO, 0, 0, List.of());

	public Geometry {
		if (window < 0) throw new ExplainException("The window " + window + " is negative.",
			"Give a window in image pixels (e.g. window=44), or 0 for the model's input size.");
		if (stride < 0) throw new ExplainException("The stride " + stride + " is negative.",
			"Give a stride in image pixels (e.g. window_stride=22, --window-stride 22), or 0 for half the window.");
		rois = List.copyOf(rois);
	}

	/** The geometry named {@code kind} (auto, fit, tile or roi); window and stride 0 = their defaults. */
	public static Geometry of(String kind, int window, int stride, List<Roi> rois) {
		return new Geometry(parse(kind), window, stride, rois);
	}

	public static Kind parse(String kind) {
		for (Kind k : Kind.values()) if (kind != null && k.cliName().equalsIgnoreCase(kind.trim())) return k;
		throw new ExplainException("Unknown geometry '" + kind + "'.", "Use auto, fit, tile or roi.");
	}

	/** The window in image pixels for a model input of {@code input} pixels (a side). */
	public int window(int input) {
		return window > 0 ? window : input;
	}

	/** The stride for that window. */
	public int stride(int input) {
		return stride > 0 ? stride : Math.max(1, window(input) / 2);
	}

	public Geometry withKind(Kind k) {
		return new Geometry(k, window, stride, rois);
	}

	public Geometry withWindow(int pixels) {
		return new Geometry(kind, pixels, stride, rois);
	}

	public Geometry withStride(int pixels) {
		return new Geometry(kind, window, pixels, rois);
	}

	public Geometry withRois(List<Roi> list) {
		return new Geometry(kind, window, stride, list);
	}
}
