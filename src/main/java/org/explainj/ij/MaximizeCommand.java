package org.explainj.ij;

import java.io.File;

import org.explainj.ExplainException;
import org.explainj.maximize.ActivationMaximizer;
import org.explainj.maximize.MaximizeOptions;
import org.explainj.maximize.PrototypeImages;
import org.explainj.maximize.Prototypes;
import org.explainj.methods.Explainer;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelAudit;
import org.explainj.model.ModelCache;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.IJ;
import ij.ImagePlus;

/**
 * Class prototypes by activation maximisation (docs/METHODS.md 1.1, 1.3): what input makes the model most sure
 * of a class (or drives a unit LAYER:CHANNEL)? Optimises in input space, or in a generator's code space
 * when a generator SavedModel is given. Outputs a 32-bit stack of prototypes (one slice per target,
 * labelled with the target and its final probability) and the objective plot. Esc cancels between steps
 * and leaves no output. The labels' first words are the macro keys.
 */
@Plugin(type = Command.class, label = "ExplainJ Prototypes")
public class MaximizeCommand implements Command {

	@Parameter(persist = false, label = "Model", description = "classifier: SavedModel folder (or its saved_model.pb) or frozen graph .pb")
	public File model;

	@Parameter(persist = false, label = "Target", description = "classes (index or name) or units LAYER:CHANNEL, comma-separated")
	public String target = "0";

	@Parameter(persist = false, label = "Generator", required = false,
		description = "optional generator SavedModel z -> image: optimise its code z; empty = optimise the image")
	public File generator;

	@Parameter(persist = false, label = "Steps", min = "1", description = "Adam steps")
	public int steps = MaximizeOptions.DEFAULT_STEPS;

	@Parameter(persist = false, label = "Learning rate", description = "Adam step size")
	public double learningRate = MaximizeOptions.DEFAULT_LEARNING_RATE;

	@Parameter(persist = false, label = "Lambda", description = "weight of ||x - xbar||^2 (||z - zbar||^2), xbar = 0")
	public double lambda = MaximizeOptions.DEFAULT_LAMBDA;

	@Parameter(persist = false, label = "Seed", description = "start point noise and jitter")
	public int seed = 0;

	@Parameter(persist = false, label = "Jitter", min = "0", description = "random shift by up to this many pixels per step")
	public int jitter = 0;

	@Parameter(persist = false, label = "TV weight", min = "0", description = "total variation penalty (smoothness)")
	public double tv = 0;

	@Parameter(persist = false, label = "Blur every", min = "0", description = "blur the image every K steps (0 = never; input space)")
	public int blur = 0;

	@Parameter(persist = false, label = "Low", description = "lower end of the model's input range")
	public double low = 0;

	@Parameter(persist = false, label = "High", description = "upper end of the model's input range")
	public double high = 1;

	@Parameter(persist = false, label = "Trust model", description = "run the model and the generator even if they " +
		"read or write files, talk to the network or call Python (only for models from a source you trust)")
	public boolean trust = false;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	public ImagePlus prototypes;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	public ImagePlus objective;

	@Override
	public void run() {
		if (Isolation.runApart(this)) return;
		if (model == null) throw new ExplainException("No model was given.", "Choose a SavedModel folder or a .pb file.");
		MaximizeOptions options = MaximizeOptions.defaults().withSteps(steps).withLearningRate((float) learningRate)
			.withLambda((float) lambda).withSeed(seed).withJitter(jitter).withTv((float) tv).withBlurEvery(blur).withRange(
				(float) low, (float) high).withGenerator(generator == null || generator.getPath().isBlank() ? null
					: generator.toPath()).withTrustedGenerator(trust);
		Prototypes p;
		try (ModelCache.Lease lease = ModelCache.shared().acquire(model.toPath(), trust)) {
			ClassifierModel classifier = lease.model();
			if (!classifier.auditFindings().isEmpty()) IJ.log(ModelAudit.trustNote(classifier));
			p = ActivationMaximizer.maximize(classifier, target, options, (done, total) -> {
				IJ.showProgress(done, total);
				if (IJ.escapePressed()) throw new Explainer.CancellationException();
			});
		}
		catch (Explainer.CancellationException e) {
			prototypes = null;
			objective = null;
			IJ.resetEscape();
			throw e;
		}
		String space = options.generator() == null ? "input space" : "code space of " + options.generator().getFileName();
		String title = "Prototypes " + model.getName() + " (" + space + ")";
		prototypes = PrototypeImages.stack(p, title);
		objective = PrototypeImages.plot(p, "Objective " + model.getName() + " (" + space + ")").getImagePlus();
		for (int i = 0; i < p.size(); i++) IJ.log("Prototype " + p.label(i));
	}
}
