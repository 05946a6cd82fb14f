package org.explainj.ij;

import java.awt.GraphicsEnvironment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.explainj.ExplainException;
import org.explainj.job.CommonOption;
import org.explainj.image.Geometry;
import org.explainj.job.ExplainJob;
import org.explainj.job.ExplainOptions;
import org.explainj.job.ExplainResult;
import org.explainj.job.JobOptions;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Declaration;
import org.explainj.methods.Explainer;
import org.explainj.methods.Kind;
import org.explainj.methods.MethodParameter;
import org.explainj.methods.MethodParameter.Range;
import org.explainj.methods.Methods;
import org.explainj.model.ModelAudit;
import org.explainj.render.Heatmaps;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.command.DynamicCommand;
import org.scijava.command.DynamicCommandInfo;
import org.scijava.module.DefaultMutableModuleItem;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.measure.ResultsTable;

/**
 * Explains the image's classification with one method: adds the heatmap to the image's overlay (its
 * pixels are never changed) and returns the raw map as a new 32-bit image. One command for every
 * method: its inputs besides the image and the method's name are made from declarations, the options
 * every run has ({@link JobOptions#ALL}, {@link #DISPLAY}) and the method's own parameters
 * ({@link AttributionMethod#parameters()}), so a script gives them by name: {@code moduleService.run(
 * commandService.getCommand(ExplainCommand), true, "method", "integrated-gradients", "image", imp, "model",
 * file, "steps", 64)} (CommandService.run would answer null for a command that is its own module). The
 * method's inputs appear once "method" is set; a parameter assigned before it (SciJava assigns the given
 * inputs in no fixed order) is kept and used, SciJava only warns that it did not know it yet. Each menu entry (plugins.config, made by
 * {@link MenuEntries}) is this command with its method set. Values are not persisted by SciJava, so a
 * script gets the declared defaults (the menu bridge remembers the user's last choices itself).
 */
@Plugin(type = Command.class, name = "explainj.explain", label = "ExplainJ Explain")
public class ExplainCommand extends DynamicCommand {

	/** What is shown, each option declared once like {@link JobOptions#ALL}. */
	record Display(double opacity, boolean keep, boolean perSlice, boolean mapImage) {}

	static final List<CommonOption<Display>> DISPLAY = List.of(
		CommonOption.<Display>of("Opacity", Kind.NUMBER, "0.5", "of the heatmap overlay, where the map is strongest",
			(d, v) -> new Display((Double) v, d.keep, d.perSlice, d.mapImage)).within(new Range(false, 0, 1, List.of()))
			.cli(null),
		CommonOption.<Display>of("Keep earlier overlays", Kind.FLAG, "false", "add this heatmap over earlier ExplainJ " +
			"heatmaps instead of replacing them", (d, v) -> new Display(d.opacity, (Boolean) v, d.perSlice, d.mapImage))
			.cli(null),
		CommonOption.<Display>of("Per_slice range", Kind.FLAG, "false", "colour each slice of a stack in its own range " +
			"(default: one range for all slices, so weak slices look weak)", (d, v) -> new Display(d.opacity, d.keep,
				(Boolean) v, d.mapImage)).cli(null),
		CommonOption.<Display>of("Map image", Kind.FLAG, "true", "also create the raw map as a 32-bit image", (d,
			v) -> new Display(d.opacity, d.keep, d.perSlice, (Boolean) v)).cli(null));

	@Parameter(persist = false, label = "Method", description = "the method's name, as bin/explainj methods lists them")
	public String method;

	@Parameter(persist = false, label = "Image", description = "the image or stack to explain")
	public ImagePlus image;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	public ImagePlus map;

	/** Geometry tile: the class map (probability of the explained class per pixel); else null. */
	public ImagePlus classMap;

	/**
	 * The "ExplainJ" table after the run: one row per explained slice (rows of earlier runs kept while the
	 * table is open). Not a SciJava output: scripts read it from the command object.
	 */
	public ResultsTable results;

	/**
	 * Every option's value as text, read from the inputs before the run crosses into ExplainJ's own class
	 * loader ({@link Isolation}): the twin there gets this map, not SciJava's input map.
	 */
	Map<String, String> values;

	private boolean commonDeclared;
	private String declaredMethod;

	/** The method named by {@link #method}, or null for none or an unknown name (the run then says so). */
	private AttributionMethod named() {
		return method == null ? null : Methods.all().stream().filter(m -> m.name().equalsIgnoreCase(method.trim()))
			.findFirst().orElse(null);
	}

	/** The declarations this command's inputs come from: the common options, then the method's parameters. */
	static List<Declaration> declarations(AttributionMethod m) {
		List<Declaration> all = new ArrayList<>(JobOptions.ALL);
		all.addAll(DISPLAY);
		if (m != null) all.addAll(m.parameters());
		return all;
	}

	/** SciJava's view of the inputs, with an input for every declaration of the method known so far. */
	@Override
	public DynamicCommandInfo getInfo() {
		DynamicCommandInfo info = super.getInfo();
		if (!commonDeclared) {
			commonDeclared = true;
			for (Declaration d : declarations(null)) declare(info, d);
		}
		AttributionMethod m = named();
		if (m != null && declaredMethod == null) {
			declaredMethod = m.name();
			for (MethodParameter p : m.parameters()) declare(info, p);
		}
		return info;
	}

	/** An input of the declaration's kind, label, help, default, choices and range. */
	@SuppressWarnings("unchecked")
	private <T> void declare(DynamicCommandInfo info, Declaration d) {
		Class<T> type = (Class<T>) d.kind().type();
		DefaultMutableModuleItem<T> item = new DefaultMutableModuleItem<>(info, d.name(), type);
		item.setLabel(d.label());
		item.setDescription(d.description());
		item.setPersisted(false);
		item.setRequired(false);
		T initial = type.cast(d.kind().parse(d, d.defaultValue()));
		item.setDefaultValue(initial);
		if (!d.choices().isEmpty()) item.setChoices((List<T>) d.choices());
		Range r = d.range();
		if (r != null && r.words().isEmpty()) {
			if (r.min() > Double.NEGATIVE_INFINITY) item.setMinimumValue(type.cast(d.kind().parse(d, Kind.NUMBER.format(r
				.min()))));
			if (r.max() < Double.POSITIVE_INFINITY) item.setMaximumValue(type.cast(d.kind().parse(d, Kind.NUMBER.format(r
				.max()))));
		}
		info.addInput(item);
		// a value given before the input existed (the method named after its parameters) is kept
		if (super.getInput(d.name()) == null) setInput(d.name(), initial);
	}

	/** The inputs' values as text, by option name; absent where none was given. */
	private Map<String, String> givenValues(AttributionMethod m) {
		Map<String, String> given = new HashMap<>();
		for (Declaration d : declarations(m)) {
			Object v = getInput(d.name());
			if (v != null) given.put(d.name(), d.kind().format(v));
		}
		return given;
	}

	static final String TABLE = "ExplainJ";

	/**
	 * The status line while a run goes: the part being explained ({@code unit} "slice", or "ROI" where
	 * each ROI is explained in turn over all slices) and, for methods that run each image in parts (steps,
	 * samples, patches), the batch of that part; from (0, total) before the first batch.
	 */
	static String progressText(int done, int total, int parts, String unit) {
		int perPart = Math.max(1, total / Math.max(1, parts));
		int part = Math.min(parts, done / perPart + 1);
		int batch = Math.min(perPart, done - (part - 1) * perPart + 1);
		return "ExplainJ: " + unit + " " + part + "/" + parts + ", batch " + batch + "/" + perPart;
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
		if (values == null) values = givenValues(named());
		if (Isolation.runApart(this)) return;
		if (method == null || method.isBlank()) throw new ExplainException("No method was given.", "Give one of " + Methods
			.all().stream().map(AttributionMethod::name).toList() + ", e.g. \"method\", \"saliency\".");
		AttributionMethod m = Methods.byName(method);
		ExplainOptions options = ExplainOptions.defaults(null, m.name());
		for (CommonOption<ExplainOptions> o : JobOptions.ALL) options = o.applyText(m.name(), options, values.get(o.name()));
		Map<String, String> parameters = new HashMap<>();
		for (MethodParameter p : m.parameters()) {
			String v = values.get(p.name());
			// checked by the method's settings, against its range or choices
			if (v != null && !v.isBlank()) parameters.put(p.name(), v);
		}
		options = options.withParameters(parameters);
		// the ROI Manager's ROIs (else the selection) are what geometry roi explains in ImageJ
		if (options.geometry().kind() == Geometry.Kind.ROI) options = options.withGeometry(options.geometry().withRois(
			ManagerRois.of(image)));
		Display display = new Display(0, false, false, false);
		for (CommonOption<Display> o : DISPLAY) display = o.applyText(m.name(), display, values.get(o.name()));
		if (image == null) throw new ExplainException("There is no image to explain.", "Give one as \"image\", imp.");
		int rois = ExplainJob.regions(image, options.geometry()).size(), parts = rois > 0 ? rois : image.getNSlices() * image.getNFrames();
		String unit = rois > 0 ? "ROI" : "slice";
		ExplainResult result = ExplainJob.run(image, options, (done, total) -> {
			IJ.showProgress(done, total);
			IJ.showStatus(progressText(done, total, parts, unit));
			if (IJ.escapePressed()) throw new Explainer.CancellationException();
		});
		result.notes().forEach(note -> IJ.log("ExplainJ: " + note));
		if (result.atImageSize()) image.setOverlay(withHeatmaps(image.getOverlay(), result.overlay(display.opacity(),
			display.perSlice()), display.keep()));
		if (!result.model().auditFindings().isEmpty()) IJ.log(ModelAudit.trustNote(result.model()));
		for (int r = 0; r < result.rows().size(); r++) {
			IJ.log(options.method().title() + " " + image.getTitle() + (result.frames() > 1 ? " #" + (result.rows().get(r)
				.frame() + 1) : "") + ": " + result.label(r));
		}
		ResultsTable table = ResultsTable.getResultsTable(TABLE);
		if (table == null) table = new ResultsTable();
		result.addRows(table, image.getTitle());
		if (!GraphicsEnvironment.isHeadless()) table.show(TABLE);
		results = table;
		// a map at a layer's resolution cannot lie over the image: it is shown as an image of its own
		map = display.mapImage() || !result.atImageSize() ? result.mapImage() : null;
		classMap = result.classMapImage();
		if (classMap != null && !GraphicsEnvironment.isHeadless()) {
			classMap.show();
			if (result.labelImage() != null) result.labelImage().show();
		}
	}
}
