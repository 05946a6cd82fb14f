package org.explainj.ij;

import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.Map;

import org.explainj.ExplainException;
import org.explainj.image.IntensityScaling;
import org.explainj.job.ExplainJob;
import org.explainj.job.ExplainOptions;
import org.explainj.job.ExplainResult;
import org.explainj.methods.Explainer;
import org.explainj.methods.Methods;
import org.explainj.methods.Target;
import org.explainj.model.ModelAudit;
import org.explainj.model.ScoreKind;
import org.explainj.render.Heatmaps;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.measure.ResultsTable;

/**
 * Explains the image's classification with one method: adds the heatmap to the image's overlay (its
 * pixels are never changed) and returns the raw map as a new 32-bit image. Subclasses only name the
 * method, so every method has its own command, menu entry and macro name. Runs headless through
 * CommandService; the labels' first words are the macro keys. Values are not persisted by SciJava, so a
 * script gets the defaults it sees here (the menu bridge remembers the user's last choices itself).
 */
public abstract class ExplainCommand implements Command {

	@Parameter(persist = false, label = "Image", description = "the image or stack to explain")
	public ImagePlus image;

	@Parameter(persist = false, label = "Model", description = CommandHelp.MODEL)
	public File model;

	@Parameter(persist = false, label = "Target", description = "top (predicted class), a class index or a class name")
	public String target = "top";

	@Parameter(persist = false, label = "Score", choices = { "logit", "probability", "log-probability" },
		description = "what is explained: the logit (pre-softmax), the probability or its log")
	public String score = "logit";

	@Parameter(persist = false, label = "Scale", choices = { "unit", "none", "minmax", "percentile" },
		description = "pixel scaling the model was trained with: unit = divide by the type's maximum")
	public String scale = "unit";

	@Parameter(persist = false, label = "Reduce", choices = { "default", "none", "sum", "abs-sum", "max-abs", "l2-sq" },
		description = "how channels are combined; default = the method's own")
	public String reduce = "default";

	@Parameter(persist = false, label = "Opacity", min = "0", max = "1", description = "of the heatmap overlay")
	public double opacity = 0.5;

	@Parameter(persist = false, label = "Keep earlier overlays", description = "add this heatmap over earlier " +
		"ExplainJ heatmaps instead of replacing them")
	public boolean keep = false;

	@Parameter(persist = false, label = "Per_slice range", description = "colour each slice of a stack in its own " +
		"range (default: one range for all slices, so weak slices look weak)")
	public boolean perSlice = false;

	@Parameter(persist = false, label = "Map image", description = "also create the raw map as a 32-bit image")
	public boolean mapImage = true;

	@Parameter(persist = false, label = "Batch size", min = "1", description = "images per TensorFlow run (memory)")
	public int batchSize = ExplainOptions.DEFAULT_BATCH_SIZE;

	@Parameter(persist = false, label = "Trust model", description = CommandHelp.TRUST)
	public boolean trust = false;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	public ImagePlus map;

	/**
	 * The "ExplainJ" table after the run: one row per explained slice (rows of earlier runs kept while the
	 * table is open). Not a SciJava output: scripts read it from the command object.
	 */
	public ResultsTable results;

	static final String TABLE = "ExplainJ";

	/** The method's name, as in {@link Methods}. */
	protected abstract String method();

	/** Values of the method's own parameters, from the subclass's fields. */
	protected Map<String, String> parameters() {
		return Map.of();
	}

	/**
	 * The status line while a run goes: the slice being explained and, for methods that run each image in
	 * parts (steps, samples, patches), the part of that slice; from (0, total) before the first batch.
	 */
	static String progressText(int done, int total, int slices) {
		int perSlice = Math.max(1, total / Math.max(1, slices));
		int slice = Math.min(slices, done / perSlice + 1);
		int batch = Math.min(perSlice, done - (slice - 1) * perSlice + 1);
		return "ExplainJ: slice " + slice + "/" + slices + ", batch " + batch + "/" + perSlice;
	}

	/**
	 * The image's overlay with this run's heatmaps and colour bar: earlier ExplainJ elements are replaced
	 * unless {@code keep}; the user's own elements stay.
	 */
	static Overlay withHeatmaps(Overlay existing, Overlay heatmaps, boolean keep) {
		Overlay overlay = existing == null ? new Overlay() : existing;
		if (!keep) {
			for (int i = overlay.size() - 1; i >= 0; i--) {
				String name = overlay.get(i).getName();
				if (name != null && name.startsWith(Heatmaps.PREFIX)) overlay.remove(i);
			}
		}
		for (Roi roi : heatmaps) overlay.add(roi);
		return overlay;
	}

	@Override
	public void run() {
		if (Isolation.runApart(this)) return;
		if (model == null) throw new ExplainException("No model was given.", "Choose a SavedModel folder or a .pb file.");
		if (!(opacity >= 0 && opacity <= 1)) throw new ExplainException("Opacity " + opacity + " is outside 0..1.",
			"Use e.g. opacity=0.5.");
		ExplainOptions options = new ExplainOptions(model.toPath(), Methods.byName(method()), new Target(target),
			ScoreKind.parse(score), IntensityScaling.parse(scale), ExplainOptions.parseReduction(reduce), batchSize,
			parameters(), trust);
		int slices = image.getNSlices() * image.getNFrames();
		ExplainResult result = ExplainJob.run(image, options, (done, total) -> {
			IJ.showProgress(done, total);
			IJ.showStatus(progressText(done, total, slices));
			if (IJ.escapePressed()) throw new Explainer.CancellationException();
		});
		result.notes().forEach(note -> IJ.log("ExplainJ: " + note));
		if (result.atImageSize()) image.setOverlay(withHeatmaps(image.getOverlay(), result.overlay(opacity, perSlice), keep));
		if (!result.model().auditFindings().isEmpty()) IJ.log(ModelAudit.trustNote(result.model()));
		for (int f = 0; f < result.frames(); f++) {
			IJ.log(options.method().title() + " " + image.getTitle() + (result.frames() > 1 ? " #" + (f + 1) : "") + ": " +
				result.label(f));
		}
		ResultsTable table = ResultsTable.getResultsTable(TABLE);
		if (table == null) table = new ResultsTable();
		result.addRows(table, image.getTitle());
		if (!GraphicsEnvironment.isHeadless()) table.show(TABLE);
		results = table;
		// a map at a layer's resolution cannot lie over the image: it is shown as an image of its own
		map = mapImage || !result.atImageSize() ? result.mapImage() : null;
	}
}
