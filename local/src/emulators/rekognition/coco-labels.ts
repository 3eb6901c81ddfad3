/**
 * The 80 COCO classes CenterNet knows, as Rekognition-style labels: Title Case names, a category per COCO
 * supercategory (named as Rekognition's label categories are) and, for a few, the alias AWS gives.
 * AWS's own taxonomy has thousands of labels with parents; this is a stand-in, not a copy.
 * https://docs.aws.amazon.com/rekognition/latest/dg/labels.html
 */
export interface CocoLabel {
  name: string;
  category: string;
  aliases: string[];
}

const CATEGORY_BY_SUPERCATEGORY = {
  person: 'Person Description',
  vehicle: 'Vehicles and Automotive',
  outdoor: 'Everyday Objects',
  animal: 'Animals and Pets',
  accessory: 'Apparel and Accessories',
  sports: 'Sports',
  kitchen: 'Kitchen and Dining',
  food: 'Food and Beverage',
  furniture: 'Home and Indoors',
  electronic: 'Technology and Computing',
  appliance: 'Home and Indoors',
  indoor: 'Everyday Objects',
} as const;

type Supercategory = keyof typeof CATEGORY_BY_SUPERCATEGORY;

const CLASSES_BY_SUPERCATEGORY: Record<Supercategory, string[]> = {
  person: ['person'],
  vehicle: ['bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat'],
  outdoor: ['traffic light', 'fire hydrant', 'stop sign', 'parking meter', 'bench'],
  animal: ['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe'],
  accessory: ['backpack', 'umbrella', 'handbag', 'tie', 'suitcase'],
  sports: [
    'frisbee',
    'skis',
    'snowboard',
    'sports ball',
    'kite',
    'baseball bat',
    'baseball glove',
    'skateboard',
    'surfboard',
    'tennis racket',
  ],
  kitchen: ['bottle', 'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl'],
  food: ['banana', 'apple', 'sandwich', 'orange', 'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake'],
  furniture: ['chair', 'couch', 'potted plant', 'bed', 'dining table', 'toilet'],
  electronic: ['tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone'],
  appliance: ['microwave', 'oven', 'toaster', 'sink', 'refrigerator'],
  indoor: ['book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush'],
};

// COCO names that are ambiguous ("mouse"), misspelt ("hair drier") or not how AWS names the thing.
const RENAMED: Record<string, string> = {
  tv: 'TV',
  mouse: 'Computer Mouse',
  remote: 'Remote Control',
  'cell phone': 'Mobile Phone',
  'sports ball': 'Ball',
  'hair drier': 'Hair Dryer',
};

const ALIASES: Record<string, string[]> = {
  person: ['Human'],
  tv: ['Television'],
  'cell phone': ['Cell Phone', 'Phone'],
};

const titleCase = (words: string) => words.replace(/\b\w/g, (letter) => letter.toUpperCase());

const LABEL_BY_CLASS = new Map<string, CocoLabel>(
  Object.entries(CLASSES_BY_SUPERCATEGORY).flatMap(([supercategory, classes]) =>
    classes.map((cocoClass): [string, CocoLabel] => [
      cocoClass,
      {
        name: RENAMED[cocoClass] ?? titleCase(cocoClass),
        category: CATEGORY_BY_SUPERCATEGORY[supercategory as Supercategory],
        aliases: ALIASES[cocoClass] ?? [],
      },
    ]),
  ),
);

/** The label for a COCO class name as the detector reports it ('traffic light'); unknown names are title-cased. */
export const labelForCocoClass = (cocoClass: string): CocoLabel =>
  LABEL_BY_CLASS.get(cocoClass) ?? { name: titleCase(cocoClass), category: 'Everyday Objects', aliases: [] };
