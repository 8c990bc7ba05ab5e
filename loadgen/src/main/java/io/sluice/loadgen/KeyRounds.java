package io.sluice.loadgen;

import java.util.SplittableRandom;

/**
 * The order in which a scenario visits its keys (cards, symbols, devices) in normal traffic: every
 * key once a round, in a fresh seeded shuffle each round, so normal traffic spreads evenly over the
 * keys and stays inside the detectors' rules.
 *
 * <p>It draws from the scenario's own random source, so the scenario's events stay the same for a
 * seed. Threading: used by the scenario's one producing thread; no allocation after construction.
 */
final class KeyRounds
{
    private final int[] order;
    private final SplittableRandom random;
    private int position;

    /**
     * Starts the first round.
     *
     * @param keys   how many keys, numbered from 0.
     * @param random of the scenario, drawn from for each round's shuffle.
     */
    KeyRounds(final int keys, final SplittableRandom random)
    {
        this.order = new int[keys];
        this.random = random;
        for (int k = 0; k < keys; k++)
        {
            order[k] = k;
        }
        shuffle();
    }

    /**
     * The next key of the round, starting a new round after the last.
     *
     * @return the key.
     */
    int next()
    {
        final int key = order[position++];
        if (position == order.length)
        {
            shuffle();
        }
        return key;
    }

    private void shuffle()
    {
        position = 0;
        for (int c = order.length - 1; c > 0; c--)
        {
            final int j = random.nextInt(c + 1);
            final int t = order[c];
            order[c] = order[j];
            order[j] = t;
        }
    }
}
