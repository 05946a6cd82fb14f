package org.explainj.methods;

import java.util.List;

import org.explainj.backward.Composite;
import org.explainj.backward.WSquareRule;
import org.explainj.backward.ZBoxRule;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Deep Taylor decomposition (METHODS.md 2.4, Montavon et al. 2017): z+ on ReLU layers with biases
 * ignored, every pooling redistributed proportionally, and at the pixels the z-box rule with bounds
 * [low, high] (default: unit-scaled data, 0..1) or the w^2 rule for unbounded inputs. Relevance is
 * non-negative and, for a bias-free network, conserved.
 */
public final class DeepTaylorMethod implements AttributionMethod {

	@Override public String name() { return "deep-taylor"; }

	@Override public String title() { return "Deep Taylor"; }

	@Override public String description() { return "deep Taylor decomposition: z+ hidden, z-box (or w^2) at the pixels"; }

	@Override public Reduction defaultReduction() { return Reduction.SUM; }

	@Override
	public List<MethodParameter> parameters() {
		return List.of(new MethodParameter("pixels", "zbox", "zbox (bounded inputs) or w2 (unbounded)"),
			new MethodParameter("low", "0", "lowest pixel value (z-box)"), new MethodParameter("high", "1",
				"highest pixel value (z-box)"));
	}

	@Override
	public Operand<TFloat32> build(AttributionContext context) {
		MethodSettings s = context.settings();
		boolean box = s.choice("pixels", List.of("zbox", "w2")).equals("zbox");
		return Relevance.walk(context, Composite.deepTaylor(box ? new ZBoxRule(s.number("low"), s.number("high"))
			: new WSquareRule(false)));
	}
}
