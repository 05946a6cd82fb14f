package org.explainj.job;

import java.io.File;
import java.util.List;

import org.explainj.ExplainException;
import org.explainj.image.Geometry;
import org.explainj.methods.Kind;
import org.explainj.methods.MethodParameter.Range;
import org.explainj.methods.Target;
import org.explainj.model.ScoreKind;

/**
 * The options of an explanation run that every front end offers (the dialog, macro keys, script inputs,
 * bin/explainj explain), each declared once with how it sets {@link ExplainOptions}. Adding one is one
 * entry here; the method's own parameters come from the method ({@link org.explainj.methods.MethodParameter}).
 */
public final class JobOptions {

	/** Help texts that other commands' dialogs share (constants, for their SciJava annotations). */
	public static final String MODEL_HELP = "SavedModel folder (or its saved_model.pb) or frozen graph .pb";
	public static final String TRUST_HELP = "run the model even if it reads or writes files, talks to the network or " +
		"calls Python (only for models from a source you trust)";

	public static final List<CommonOption<ExplainOptions>> ALL = List.of(
		CommonOption.<ExplainOptions>of("Model", Kind.FILE, "", MODEL_HELP, (o, v) -> o.withModel(model((File) v))),
		CommonOption.<ExplainOptions>of("Target", Kind.TEXT, "top", "top (predicted class), a class index or a class " +
			"name (from labels.txt or explainj.json beside the model)", (o, v) -> o.withTarget(new Target((String) v))),
		CommonOption.<ExplainOptions>of("Score", Kind.CHOICE, "logit", "what is explained: the logit (pre-softmax), the " +
			"probability or its log", (o, v) -> o.withScore(ScoreKind.parse((String) v))).among("logit", "probability",
				"log-probability"),
		CommonOption.<ExplainOptions>of("Scale", Kind.CHOICE, "default", "pixel scaling the model was trained with: " +
			"default = the model's explainj.json, else unit; unit = divide by the type's maximum, minmax and percentile = " +
			"per image", (o, v) -> o.withScaling(ExplainOptions.parseScaling((String) v))).among("default", "unit", "none",
				"minmax", "percentile"),
		CommonOption.<ExplainOptions>of("Channels", Kind.TEXT, "all", "the image channels to explain: all, 2, 1-3 or " +
			"1,3 (all: every channel, when their number is the model's)", (o, v) -> o.withChannels((String) v)),
		CommonOption.<ExplainOptions>of("Reduce", Kind.CHOICE, "default", "how a map's channels are combined for " +
			"display; default = the method's own", (o, v) -> o.withReduction(ExplainOptions.parseReduction((String) v)))
			.among("default", "none", "sum", "abs-sum", "max-abs", "l2-sq"),
		CommonOption.<ExplainOptions>of("Geometry", Kind.CHOICE, "auto", "fit = the whole image resized to the model " +
			"input; tile = sliding windows blended into a map and a class map; roi = the selection or every ROI Manager " +
			"ROI; auto = fit, or the selection when there is one", (o, v) -> o.withGeometry(o.geometry().withKind(Geometry
				.parse((String) v)))).among("auto", "fit", "tile", "roi"),
		CommonOption.<ExplainOptions>of("Window", Kind.WHOLE, "0", "tile: window side in image pixels (0 = the model's " +
			"input size)", (o, v) -> o.withGeometry(o.geometry().withWindow((Integer) v))).within(Range.wholeAtLeast(0)),
		// not "stride": occlusion's own parameter has that name
		CommonOption.<ExplainOptions>of("Window_stride", Kind.WHOLE, "0", "tile: step between windows in image pixels " +
			"(0 = half the window)", (o, v) -> o.withGeometry(o.geometry().withStride((Integer) v))).within(Range
				.wholeAtLeast(0)),
		CommonOption.<ExplainOptions>of("Batch size", Kind.WHOLE, "" + ExplainOptions.DEFAULT_BATCH_SIZE,
			"images per TensorFlow run (memory)", (o, v) -> o.withBatchSize((Integer) v)).within(Range.wholeAtLeast(1))
			.cli("batch-size"),
		CommonOption.<ExplainOptions>of("Trust model", Kind.FLAG, "false", TRUST_HELP, (o, v) -> o
				.withTrustedModel((Boolean) v)).cli("trust-model"));

	private JobOptions() {}

	private static java.nio.file.Path model(File file) {
		if (file == null) throw new ExplainException("No model was given.", "Choose a SavedModel folder or a .pb file.");
		return file.toPath();
	}
}
