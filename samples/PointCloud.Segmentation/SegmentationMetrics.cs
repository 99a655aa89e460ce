namespace PointCloudSegmentation;

/// <summary>A confusion matrix over voxels: per-class IoU, mean IoU and accuracy.</summary>
public sealed class SegmentationMetrics
{
    private readonly long[,] _confusion = new long[Scene.ClassCount, Scene.ClassCount];

    /// <summary>Counts one voxel.</summary>
    public void Add(int label, int prediction) => _confusion[label, prediction]++;

    /// <summary>Intersection over union per class (NaN for a class neither present nor predicted).</summary>
    public double[] IoU()
    {
        double[] iou = new double[Scene.ClassCount];
        for (int c = 0; c < iou.Length; c++)
        {
            long tp = _confusion[c, c], fp = 0, fn = 0;
            for (int o = 0; o < iou.Length; o++)
                if (o != c)
                {
                    fp += _confusion[o, c];
                    fn += _confusion[c, o];
                }
            iou[c] = tp + fp + fn == 0 ? double.NaN : (double)tp / (tp + fp + fn);
        }
        return iou;
    }

    /// <summary>Mean of the defined per-class IoUs.</summary>
    public double MeanIoU() => IoU().Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Average();

    /// <summary>Fraction of voxels predicted right.</summary>
    public double Accuracy()
    {
        long right = 0, all = 0;
        for (int a = 0; a < Scene.ClassCount; a++)
            for (int b = 0; b < Scene.ClassCount; b++)
            {
                all += _confusion[a, b];
                if (a == b)
                    right += _confusion[a, b];
            }
        return all == 0 ? 0 : (double)right / all;
    }
}
