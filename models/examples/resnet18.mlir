// ResNet-18 (He et al., CVPR 2016) for 224x224 ImageNet images, in the cim
// graph level with batch normalization folded into the convolutions. Weights
// are placeholders (splat constants): the model has ResNet-18's layer shapes
// for crossbar mapping and the cost model, not its accuracy.
func.func @resnet18(%image: tensor<1x3x224x224xf32>) -> tensor<1x1000xf32> {
  %v1 = cim.constant dense<0.01> : tensor<64x3x7x7xf32>
  %v2 = cim.conv2d %image, %v1 {name = "conv1", pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>}
      : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32>
  %v3 = cim.relu %v2 : tensor<1x64x112x112xf32>
  %v4 = cim.max_pool %v3 {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  %v5 = cim.constant dense<0.01> : tensor<64x64x3x3xf32>
  %v6 = cim.conv2d %v4, %v5 {name = "layer1.0.conv1", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %v7 = cim.relu %v6 : tensor<1x64x56x56xf32>
  %v8 = cim.constant dense<0.01> : tensor<64x64x3x3xf32>
  %v9 = cim.conv2d %v7, %v8 {name = "layer1.0.conv2", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %v10 = cim.add %v9, %v4 : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %v11 = cim.relu %v10 : tensor<1x64x56x56xf32>
  %v12 = cim.constant dense<0.01> : tensor<64x64x3x3xf32>
  %v13 = cim.conv2d %v11, %v12 {name = "layer1.1.conv1", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %v14 = cim.relu %v13 : tensor<1x64x56x56xf32>
  %v15 = cim.constant dense<0.01> : tensor<64x64x3x3xf32>
  %v16 = cim.conv2d %v14, %v15 {name = "layer1.1.conv2", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  %v17 = cim.add %v16, %v11 : (tensor<1x64x56x56xf32>, tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %v18 = cim.relu %v17 : tensor<1x64x56x56xf32>
  %v19 = cim.constant dense<0.01> : tensor<128x64x3x3xf32>
  %v20 = cim.conv2d %v18, %v19 {name = "layer2.0.conv1", pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<1x64x56x56xf32>, tensor<128x64x3x3xf32>) -> tensor<1x128x28x28xf32>
  %v21 = cim.relu %v20 : tensor<1x128x28x28xf32>
  %v22 = cim.constant dense<0.01> : tensor<128x128x3x3xf32>
  %v23 = cim.conv2d %v21, %v22 {name = "layer2.0.conv2", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x128x28x28xf32>, tensor<128x128x3x3xf32>) -> tensor<1x128x28x28xf32>
  %v24 = cim.constant dense<0.01> : tensor<128x64x1x1xf32>
  %v25 = cim.conv2d %v18, %v24 {name = "layer2.0.downsample", strides = array<i64: 2, 2>}
      : (tensor<1x64x56x56xf32>, tensor<128x64x1x1xf32>) -> tensor<1x128x28x28xf32>
  %v26 = cim.add %v23, %v25 : (tensor<1x128x28x28xf32>, tensor<1x128x28x28xf32>) -> tensor<1x128x28x28xf32>
  %v27 = cim.relu %v26 : tensor<1x128x28x28xf32>
  %v28 = cim.constant dense<0.01> : tensor<128x128x3x3xf32>
  %v29 = cim.conv2d %v27, %v28 {name = "layer2.1.conv1", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x128x28x28xf32>, tensor<128x128x3x3xf32>) -> tensor<1x128x28x28xf32>
  %v30 = cim.relu %v29 : tensor<1x128x28x28xf32>
  %v31 = cim.constant dense<0.01> : tensor<128x128x3x3xf32>
  %v32 = cim.conv2d %v30, %v31 {name = "layer2.1.conv2", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x128x28x28xf32>, tensor<128x128x3x3xf32>) -> tensor<1x128x28x28xf32>
  %v33 = cim.add %v32, %v27 : (tensor<1x128x28x28xf32>, tensor<1x128x28x28xf32>) -> tensor<1x128x28x28xf32>
  %v34 = cim.relu %v33 : tensor<1x128x28x28xf32>
  %v35 = cim.constant dense<0.01> : tensor<256x128x3x3xf32>
  %v36 = cim.conv2d %v34, %v35 {name = "layer3.0.conv1", pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<1x128x28x28xf32>, tensor<256x128x3x3xf32>) -> tensor<1x256x14x14xf32>
  %v37 = cim.relu %v36 : tensor<1x256x14x14xf32>
  %v38 = cim.constant dense<0.01> : tensor<256x256x3x3xf32>
  %v39 = cim.conv2d %v37, %v38 {name = "layer3.0.conv2", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x256x14x14xf32>, tensor<256x256x3x3xf32>) -> tensor<1x256x14x14xf32>
  %v40 = cim.constant dense<0.01> : tensor<256x128x1x1xf32>
  %v41 = cim.conv2d %v34, %v40 {name = "layer3.0.downsample", strides = array<i64: 2, 2>}
      : (tensor<1x128x28x28xf32>, tensor<256x128x1x1xf32>) -> tensor<1x256x14x14xf32>
  %v42 = cim.add %v39, %v41 : (tensor<1x256x14x14xf32>, tensor<1x256x14x14xf32>) -> tensor<1x256x14x14xf32>
  %v43 = cim.relu %v42 : tensor<1x256x14x14xf32>
  %v44 = cim.constant dense<0.01> : tensor<256x256x3x3xf32>
  %v45 = cim.conv2d %v43, %v44 {name = "layer3.1.conv1", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x256x14x14xf32>, tensor<256x256x3x3xf32>) -> tensor<1x256x14x14xf32>
  %v46 = cim.relu %v45 : tensor<1x256x14x14xf32>
  %v47 = cim.constant dense<0.01> : tensor<256x256x3x3xf32>
  %v48 = cim.conv2d %v46, %v47 {name = "layer3.1.conv2", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x256x14x14xf32>, tensor<256x256x3x3xf32>) -> tensor<1x256x14x14xf32>
  %v49 = cim.add %v48, %v43 : (tensor<1x256x14x14xf32>, tensor<1x256x14x14xf32>) -> tensor<1x256x14x14xf32>
  %v50 = cim.relu %v49 : tensor<1x256x14x14xf32>
  %v51 = cim.constant dense<0.01> : tensor<512x256x3x3xf32>
  %v52 = cim.conv2d %v50, %v51 {name = "layer4.0.conv1", pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<1x256x14x14xf32>, tensor<512x256x3x3xf32>) -> tensor<1x512x7x7xf32>
  %v53 = cim.relu %v52 : tensor<1x512x7x7xf32>
  %v54 = cim.constant dense<0.01> : tensor<512x512x3x3xf32>
  %v55 = cim.conv2d %v53, %v54 {name = "layer4.0.conv2", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x512x7x7xf32>, tensor<512x512x3x3xf32>) -> tensor<1x512x7x7xf32>
  %v56 = cim.constant dense<0.01> : tensor<512x256x1x1xf32>
  %v57 = cim.conv2d %v50, %v56 {name = "layer4.0.downsample", strides = array<i64: 2, 2>}
      : (tensor<1x256x14x14xf32>, tensor<512x256x1x1xf32>) -> tensor<1x512x7x7xf32>
  %v58 = cim.add %v55, %v57 : (tensor<1x512x7x7xf32>, tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32>
  %v59 = cim.relu %v58 : tensor<1x512x7x7xf32>
  %v60 = cim.constant dense<0.01> : tensor<512x512x3x3xf32>
  %v61 = cim.conv2d %v59, %v60 {name = "layer4.1.conv1", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x512x7x7xf32>, tensor<512x512x3x3xf32>) -> tensor<1x512x7x7xf32>
  %v62 = cim.relu %v61 : tensor<1x512x7x7xf32>
  %v63 = cim.constant dense<0.01> : tensor<512x512x3x3xf32>
  %v64 = cim.conv2d %v62, %v63 {name = "layer4.1.conv2", pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x512x7x7xf32>, tensor<512x512x3x3xf32>) -> tensor<1x512x7x7xf32>
  %v65 = cim.add %v64, %v59 : (tensor<1x512x7x7xf32>, tensor<1x512x7x7xf32>) -> tensor<1x512x7x7xf32>
  %v66 = cim.relu %v65 : tensor<1x512x7x7xf32>
  %v67 = cim.global_avg_pool %v66 : (tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32>
  %v68 = cim.flatten %v67 : (tensor<1x512x1x1xf32>) -> tensor<1x512xf32>
  %v69 = cim.constant dense<0.01> : tensor<1000x512xf32>
  %v70 = cim.gemm %v68, %v69 {name = "fc", transB = true}
      : (tensor<1x512xf32>, tensor<1000x512xf32>) -> tensor<1x1000xf32>
  return %v70 : tensor<1x1000xf32>
}
