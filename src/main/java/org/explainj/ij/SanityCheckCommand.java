package org.explainj.ij;

import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.List;

import org.explainj.ExplainException;
import org.explainj.image.Geometry;
import org.explainj.job.EvaluationReport;
import org.explainj.job.ExplainOptions;
import org.explainj.job.SanityReport;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.InputBatch;
import org.explainj.metrics.BaselineAttributions;
import org.explainj.metrics.SanityCheck;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelAudit;
import org.explainj.model.ModelCache;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;

/**
 * The model-randomisation sanity check on the image's slices (each slice one image): a table
 * ("ExplainJ sanity check"), a plot of rank correlation against randomised layers and a montage of the
 * first slice's maps. The model is not changed; the images are only read.
 */
@Plugin(type = Command.class, name = "explainj.sanity", label = "ExplainJ Sanity Check")
public class SanityCheckCommand implements Command {

	@Parameter(persist = false, label = "Image", description = CommandHelp.IMAGE_SET)
	public ImagePlus image;

	@Parameter(persist = false, label = "Model", description = CommandHelp.MODEL)
	public File model;

	@Parameter(persist = false, label = "Methods", description = "comma-separated")
	public String methods = "gradient,grad-cam,guided-backprop,lrp-epsilon,integrated-gradients";

	@Parameter(persist = false, label = "Seed", description = "seed of the weight permutations and the random class")
	public int seed = 0;

	@Parameter(persist = false, label = "Scale", choices = { "default", "unit", "none", "minmax", "percentile" },
		description = "pixel scaling the model was trained with: default = the model's explainj.json, else unit")
	public String scale = "default";

	@Parameter(persist = false, label = "Trust model", description = CommandHelp.TRUST)
	public boolean trust = false;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	public ImagePlus plot;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	public ImagePlus montage;

	/** The table; not a SciJava output (scripts read it from the command object). */
	public ResultsTable results;

	/** The check itself, for scripts that run the command directly (in Fiji, where the command runs in
	 * ExplainJ's own class loader, read {@link #results} instead). */
	public SanityCheck.Report report;

	@Override
	public void run() {
		if (Isolation.runApart(this)) return;
		if (model == null) throw new ExplainException("No model was given.", "Choose a SavedModel folder or a .pb file.");
		try (ModelCache.Lease lease = ModelCache.shared().acquire(model.toPath(), trust)) {
			check(lease.model());
		}
	}

	private void check(ClassifierModel m) {
		if (!m.auditFindings().isEmpty()) IJ.log(ModelAudit.trustNote(m));
		EvaluationReport.Inputs inputs = EvaluationReport.batch(List.of(image), m, ExplainOptions.parseScaling(scale),
			new Geometry(Geometry.Kind.FIT, 0, 0, List.of()));
		inputs.notes().forEach(note -> IJ.log("ExplainJ: " + note));
		InputBatch batch = inputs.batch();
		List<AttributionMethod> list = BaselineAttributions.list(methods);
		report = SanityCheck.run(m, batch, list, seed, 32);
		results = SanityReport.table(report);
		if (!GraphicsEnvironment.isHeadless()) results.show("ExplainJ sanity check");
		plot = SanityReport.plot(report, "Model randomisation of " + image.getTitle());
		montage = new ImagePlus("Sanity check maps of " + image.getTitle(), SanityReport.montage(report, image.getStack()
			.getProcessor(1)));
	}
}
