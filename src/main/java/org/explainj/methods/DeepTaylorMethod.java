package org.explainj.methods;

import java.util.List;

import org.explainj.backward.Composite;
import org.explainj.backward.WSquareRule;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Deep Taylor decomposition (docs/METHODS.md 2.4, Montavon et al. 2017): z+ on ReLU layers with biases
 * ignored, every pooling redistributed proportionally, and at the pixels the z-box rule with bounds
 * [low, high] (default: each image's own value range) or the w^2 rule for unbounded inputs. Relevance is
 * non-negative and, for a bias-free network, conserved.
 */
public final class DeepTaylorMethod implements AttributionMethod {

	@Override public String name() { return "deep-taylor"; }

	@Override public String title() { return "Deep Taylor"; }

	@Override public String description() { return "deep Taylor decomposition: z+ hidden, z-box (or w^2) at the pixels"; }

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(new MethodParameter("pixels", "zbox", "zbox (bounded inputs), w2 (unbounded) or flat").among(
			List.of("zbox", "w2", "flat")),
			PixelBounds.LOW, PixelBounds.HIGH);
	}

	@Override
	public void check(MethodSettings settings) {
		PixelBounds.check(settings);
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		MethodSettings s = context.settings();
		String pixels = s.string("pixels");
		return Relevance.walk(context, Composite.deepTaylor(pixels.equals("zbox") ? PixelBounds.zBox(context) : new WSquareRule(
			pixels.equals("flat"))));
	}

	@Override
	public List<String> notes(Explanation explanation, MethodSettings settings) {
		return Relevance.notes(explanation, title(), "The pixel rule takes most of the score; try pixels=w2.");
	}
}
