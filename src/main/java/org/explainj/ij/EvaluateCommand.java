package org.explainj.ij;

import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.Arrays;
import java.util.List;

import org.explainj.ExplainException;
import org.explainj.image.Geometry;
import org.explainj.job.EvaluationReport;
import org.explainj.job.ExplainOptions;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.InputBatch;
import org.explainj.metrics.BaselineAttributions;
import org.explainj.metrics.Continuity;
import org.explainj.metrics.Insertion;
import org.explainj.metrics.MethodComparison;
import org.explainj.metrics.MuFidelity;
import org.explainj.metrics.Selectivity;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelAudit;
import org.explainj.model.ModelCache;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.measure.ResultsTable;

/**
 * Compares explanation methods on the image's slices (each slice one image): selectivity, insertion,
 * MuFidelity and, with all, continuity, as a ranked table ("ExplainJ comparison") and a plot of the mean perturbation curves. The
 * images are only read.
 */
@Plugin(type = Command.class, name = "explainj.evaluate", label = "ExplainJ Evaluate")
public class EvaluateCommand implements Command {

	@Parameter(persist = false, label = "Image", description = CommandHelp.IMAGE_SET)
	public ImagePlus image;

	@Parameter(persist = false, label = "All open images", description = "compare on every open image, not only this one")
	public boolean allOpen = false;

	@Parameter(persist = false, label = "Model", description = CommandHelp.MODEL)
	public File model;

	@Parameter(persist = false, label = "Methods", description = "comma-separated; random and edges are baselines")
	public String methods = "sensitivity,gradient-x-input,deep-taylor,lrp-epsilon,integrated-gradients,grad-cam," +
		"random,edges";

	@Parameter(persist = false, label = "Metric", choices = { "selectivity", "insertion", "mufidelity", "all" },
		description = "all: selectivity, continuity (1-pixel translations), insertion (from a blurred image) and MuFidelity")
	public String metric = "selectivity";

	@Parameter(persist = false, label = "Window", min = "0", description = "window side in model pixels (0 = auto)")
	public int window = 0;

	@Parameter(persist = false, label = "Steps", min = "1",
		description = "windows removed (selectivity) or put back (insertion)")
	public int steps = 20;

	@Parameter(persist = false, label = "Fill", choices = { "zeros", "mean", "noise", "blur" })
	public String fill = "zeros";

	@Parameter(persist = false, label = "Scale", choices = { "default", "unit", "none", "minmax", "percentile" },
		description = "pixel scaling the model was trained with: default = the model's explainj.json, else unit")
	public String scale = "default";

	@Parameter(persist = false, label = "Geometry", choices = { "auto", "fit", "roi" }, description = "fit = each whole " +
		"image; roi = every ROI Manager ROI (else the selection) of each image; auto = the selection when there is one")
	public String geometry = "auto";

	@Parameter(persist = false, label = "Trust model", description = CommandHelp.TRUST)
	public boolean trust = false;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	public ImagePlus plot;

	/** With metric "all": the mean continuity ratio per step. */
	@Parameter(type = ItemIO.OUTPUT, required = false)
	public ImagePlus continuityPlot;

	/** With metric "all": each method's maps of the first image's translated sequence. */
	@Parameter(type = ItemIO.OUTPUT, required = false)
	public ImagePlus continuityMaps;

	/** The ranked table; not a SciJava output (scripts read it from the command object). */
	public ResultsTable results;

	/** The ranking itself, for scripts that run the command directly (in Fiji, where the command runs in
	 * ExplainJ's own class loader, its records are that loader's classes: read {@link #results}). */
	public List<MethodComparison.Score> scores;

	@Override
	public void run() {
		if (Isolation.runApart(this)) return;
		if (model == null) throw new ExplainException("No model was given.", "Choose a SavedModel folder or a .pb file.");
		try (ModelCache.Lease lease = ModelCache.shared().acquire(model.toPath(), trust)) {
			compare(lease.model());
		}
	}

	private void compare(ClassifierModel m) {
		if (!m.auditFindings().isEmpty()) IJ.log(ModelAudit.trustNote(m));
		List<ImagePlus> images = allOpen ? Arrays.stream(WindowManager.getIDList() == null ? new int[0] : WindowManager
			.getIDList()).mapToObj(WindowManager::getImage).toList() : List.of(image);
		Geometry.Kind kind = Geometry.parse(geometry);
		EvaluationReport.Inputs inputs = EvaluationReport.batch(images, m, ExplainOptions.parseScaling(scale), new Geometry(
			kind, 0, 0, kind == Geometry.Kind.ROI ? ManagerRois.of(image) : List.of()));
		inputs.notes().forEach(note -> IJ.log("ExplainJ: " + note));
		InputBatch batch = inputs.batch();
		List<AttributionMethod> list = BaselineAttributions.list(methods);
		int side = window > 0 ? window : Selectivity.Settings.defaultWindow(batch.height(), batch.width());
		boolean all = metric.equals("all");
		Selectivity.Settings selectivity = all || metric.equals("selectivity") ? new Selectivity.Settings(side, steps, fill,
			0) : null;
		Continuity.Settings continuity = all ? new Continuity.Settings(10, "translate", 0.01, 0) : null;
		Insertion.Settings insertion = all || metric.equals("insertion") ? new Insertion.Settings(side, steps, "blur", 0)
			: null;
		MuFidelity.Settings muFidelity = all || metric.equals("mufidelity") ? new MuFidelity.Settings(side, 0.25, 100,
			fill, 0) : null;
		scores = MethodComparison.run(m, batch, list, new MethodComparison.Metrics(selectivity, continuity, insertion,
			muFidelity), 32);
		results = EvaluationReport.table(scores);
		if (!GraphicsEnvironment.isHeadless()) results.show("ExplainJ comparison");
		plot = selectivity != null ? EvaluationReport.plot(scores, "Selectivity of " + image.getTitle()) : insertion != null
			? EvaluationReport.insertionPlot(scores, "Insertion of " + image.getTitle()) : null;
		if (continuity != null) {
			continuityPlot = EvaluationReport.continuityPlot(scores, "Continuity of " + image.getTitle());
			continuityMaps = EvaluationReport.sequenceStack(scores, batch.width(), batch.height());
		}
	}
}
