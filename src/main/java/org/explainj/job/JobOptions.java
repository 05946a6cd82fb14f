package org.explainj.job;

import java.io.File;
import java.util.List;

import org.explainj.ExplainException;
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
